-- The live stream across processes: every committed insert into the audit trail notifies
-- channel `sensei_session_events`, which each server process LISTENs on and then reads the
-- new events by id. One notification per statement with an empty payload: PostgreSQL folds
-- identical notifications of one transaction into one, and delivers them only at commit, so a
-- listener never reads an event before it is visible.
CREATE OR REPLACE FUNCTION scheduled_session_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sensei_session_events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER scheduled_session_events_notify
AFTER INSERT ON scheduled_session_events
FOR EACH STATEMENT EXECUTE FUNCTION scheduled_session_events_notify();
