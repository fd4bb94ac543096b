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

INSERT OR REPLACE INTO scheduled_session_counts (id, pending_count, completed_count)
SELECT 1,
       COALESCE(SUM(CASE WHEN session_completed_at IS NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN session_completed_at IS NULL THEN 0 ELSE 1 END), 0)
FROM scheduled_sessions;

CREATE TRIGGER IF NOT EXISTS trg_scheduled_sessions_count_insert
AFTER INSERT ON scheduled_sessions
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count + (CASE WHEN NEW.session_completed_at IS NULL THEN 1 ELSE 0 END),
        completed_count = completed_count + (CASE WHEN NEW.session_completed_at IS NULL THEN 0 ELSE 1 END)
    WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS trg_scheduled_sessions_count_delete
AFTER DELETE ON scheduled_sessions
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count - (CASE WHEN OLD.session_completed_at IS NULL THEN 1 ELSE 0 END),
        completed_count = completed_count - (CASE WHEN OLD.session_completed_at IS NULL THEN 0 ELSE 1 END)
    WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS trg_scheduled_sessions_count_update
AFTER UPDATE OF session_completed_at ON scheduled_sessions
WHEN (OLD.session_completed_at IS NULL) <> (NEW.session_completed_at IS NULL)
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count
            + (CASE WHEN NEW.session_completed_at IS NULL THEN 1 ELSE -1 END),
        completed_count = completed_count
            + (CASE WHEN NEW.session_completed_at IS NULL THEN -1 ELSE 1 END)
    WHERE id = 1;
END;
