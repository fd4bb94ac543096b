-- Back to counting only inserts, deletes, completions and cancellations (migration
-- 2024-01-07-000000_postgres_booking_path's trigger, restored word for word).
DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;

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
    IF pending_delta <> 0 OR completed_delta <> 0 OR cancelled_delta <> 0 THEN
        UPDATE scheduled_session_counts
        SET pending_count = pending_count + pending_delta,
            completed_count = completed_count + completed_delta,
            cancelled_count = cancelled_count + cancelled_delta
        WHERE id = 1 + (session_id % 16);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_scheduled_sessions_counts
AFTER INSERT OR DELETE OR UPDATE OF session_completed_at, cancelled_at ON scheduled_sessions
FOR EACH ROW EXECUTE FUNCTION scheduled_sessions_maintain_counts();

ALTER TABLE scheduled_session_counts DROP COLUMN changes;
