-- Indexes for the deduplication check and the instructors' queue, and a one-row counter kept
-- by triggers so the dashboard's stat cards never count the whole table.
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_dedup
    ON scheduled_sessions (user_id, submission_id, scheduled_at);
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_pending
    ON scheduled_sessions (scheduled_at, id) WHERE session_completed_at IS NULL;

CREATE TABLE IF NOT EXISTS scheduled_session_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pending_count BIGINT NOT NULL DEFAULT 0,
    completed_count BIGINT NOT NULL DEFAULT 0
);

-- Serialises with concurrent writers of scheduled_sessions while the counter is initialised.
LOCK TABLE scheduled_sessions IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO scheduled_session_counts (id, pending_count, completed_count)
SELECT 1,
       COUNT(*) FILTER (WHERE session_completed_at IS NULL),
       COUNT(*) FILTER (WHERE session_completed_at IS NOT NULL)
FROM scheduled_sessions
ON CONFLICT (id) DO UPDATE
SET pending_count = EXCLUDED.pending_count, completed_count = EXCLUDED.completed_count;

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

DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;
CREATE TRIGGER trg_scheduled_sessions_counts
AFTER INSERT OR DELETE OR UPDATE OF session_completed_at ON scheduled_sessions
FOR EACH ROW EXECUTE FUNCTION scheduled_sessions_maintain_counts();
