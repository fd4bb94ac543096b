-- Back to the seed's two states (the columns and events added by up.sql are dropped).
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_update;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_delete;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_insert;
ALTER TABLE scheduled_session_counts DROP COLUMN cancelled_count;

DROP TRIGGER IF EXISTS trg_scheduled_session_events_no_delete;
DROP TRIGGER IF EXISTS trg_scheduled_session_events_no_update;
DROP INDEX IF EXISTS idx_scheduled_session_events_session;
DROP TABLE IF EXISTS scheduled_session_events;
DROP INDEX IF EXISTS idx_scheduled_sessions_open_by_user;
DROP INDEX IF EXISTS idx_scheduled_sessions_claimed_by;
ALTER TABLE scheduled_sessions DROP COLUMN cancel_reason;
ALTER TABLE scheduled_sessions DROP COLUMN cancelled_at;
ALTER TABLE scheduled_sessions DROP COLUMN student_notes;
ALTER TABLE scheduled_sessions DROP COLUMN completed_by;
ALTER TABLE scheduled_sessions DROP COLUMN claim_expires_at;
ALTER TABLE scheduled_sessions DROP COLUMN claimed_by;

UPDATE scheduled_session_counts
SET pending_count = (SELECT COUNT(*) FROM scheduled_sessions WHERE session_completed_at IS NULL),
    completed_count = (SELECT COUNT(*) FROM scheduled_sessions WHERE session_completed_at IS NOT NULL)
WHERE id = 1;

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
