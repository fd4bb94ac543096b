-- Back to the seed's two states (the columns and events added by up.sql are dropped).
DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;

CREATE OR REPLACE FUNCTION scheduled_sessions_maintain_counts() RETURNS trigger AS $$
DECLARE
    pending_delta BIGINT := 0;
    completed_delta BIGINT := 0;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        IF NEW.session_completed_at IS NULL THEN
            pending_delta := pending_delta + 1;
        ELSE
            completed_delta := completed_delta + 1;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        IF OLD.session_completed_at IS NULL THEN
            pending_delta := pending_delta - 1;
        ELSE
            completed_delta := completed_delta - 1;
        END IF;
    END IF;
    IF pending_delta <> 0 OR completed_delta <> 0 THEN
        UPDATE scheduled_session_counts
        SET pending_count = pending_count + pending_delta,
            completed_count = completed_count + completed_delta
        WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

ALTER TABLE scheduled_session_counts DROP COLUMN IF EXISTS cancelled_count;

DROP TRIGGER IF EXISTS trg_scheduled_session_events_append_only ON scheduled_session_events;
DROP FUNCTION IF EXISTS scheduled_session_events_append_only();
DROP TABLE IF EXISTS scheduled_session_events;
DROP INDEX IF EXISTS idx_scheduled_sessions_open_by_user;
DROP INDEX IF EXISTS idx_scheduled_sessions_claimed_by;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS cancel_reason;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS cancelled_at;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS student_notes;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS completed_by;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS claim_expires_at;
ALTER TABLE scheduled_sessions DROP COLUMN IF EXISTS claimed_by;

UPDATE scheduled_session_counts
SET pending_count = (SELECT COUNT(*) FROM scheduled_sessions WHERE session_completed_at IS NULL),
    completed_count = (SELECT COUNT(*) FROM scheduled_sessions WHERE session_completed_at IS NOT NULL)
WHERE id = 1;

CREATE TRIGGER trg_scheduled_sessions_counts
AFTER INSERT OR DELETE OR UPDATE OF session_completed_at ON scheduled_sessions
FOR EACH ROW EXECUTE FUNCTION scheduled_sessions_maintain_counts();
