-- A change counter for readers that keep what they read: every insert, update and delete of
-- a scheduled session adds one to `changes` in its slot, in the writer's transaction. The sum
-- over the slots only grows, so a reader that read the sum before reading the queue, and
-- reads the same sum later, knows that no change has committed in between (the dashboard's
-- cache in `repo/sessions/dashboard_cache.rs`). The trigger now fires on every update, not
-- only on those that complete or cancel: claims, renewals and notes count as changes too.
ALTER TABLE scheduled_session_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION scheduled_sessions_maintain_counts() RETURNS trigger AS $$
DECLARE
    pending_delta BIGINT := 0;
    completed_delta BIGINT := 0;
    cancelled_delta BIGINT := 0;
    session_id INTEGER;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        session_id := NEW.id;
        IF NEW.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta + 1;
        ELSIF NEW.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta + 1;
        ELSE
            pending_delta := pending_delta + 1;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        session_id := OLD.id;
        IF OLD.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta - 1;
        ELSIF OLD.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta - 1;
        ELSE
            pending_delta := pending_delta - 1;
        END IF;
    END IF;
    UPDATE scheduled_session_counts
    SET pending_count = pending_count + pending_delta,
        completed_count = completed_count + completed_delta,
        cancelled_count = cancelled_count + cancelled_delta,
        changes = changes + 1
    WHERE id = 1 + (session_id % 16);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;
CREATE TRIGGER trg_scheduled_sessions_counts
AFTER INSERT OR DELETE OR UPDATE ON scheduled_sessions
FOR EACH ROW EXECUTE FUNCTION scheduled_sessions_maintain_counts();
