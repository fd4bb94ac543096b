-- Back to counting only inserts, deletes, completions and cancellations (migration
-- 2024-01-04-000000_session_workflow's triggers, restored word for word).
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_insert;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_delete;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_update;

CREATE TRIGGER trg_scheduled_sessions_count_insert
AFTER INSERT ON scheduled_sessions
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count
            + (NEW.session_completed_at IS NULL AND NEW.cancelled_at IS NULL),
        completed_count = completed_count + (NEW.session_completed_at IS NOT NULL),
        cancelled_count = cancelled_count
            + (NEW.session_completed_at IS NULL AND NEW.cancelled_at IS NOT NULL)
    WHERE id = 1;
END;

CREATE TRIGGER trg_scheduled_sessions_count_delete
AFTER DELETE ON scheduled_sessions
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NULL),
        completed_count = completed_count - (OLD.session_completed_at IS NOT NULL),
        cancelled_count = cancelled_count
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NOT NULL)
    WHERE id = 1;
END;

CREATE TRIGGER trg_scheduled_sessions_count_update
AFTER UPDATE OF session_completed_at, cancelled_at ON scheduled_sessions
WHEN (OLD.session_completed_at IS NULL) <> (NEW.session_completed_at IS NULL)
  OR (OLD.cancelled_at IS NULL) <> (NEW.cancelled_at IS NULL)
BEGIN
    UPDATE scheduled_session_counts
    SET pending_count = pending_count
            + (NEW.session_completed_at IS NULL AND NEW.cancelled_at IS NULL)
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NULL),
        completed_count = completed_count
            + (NEW.session_completed_at IS NOT NULL)
            - (OLD.session_completed_at IS NOT NULL),
        cancelled_count = cancelled_count
            + (NEW.session_completed_at IS NULL AND NEW.cancelled_at IS NOT NULL)
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NOT NULL)
    WHERE id = 1;
END;

ALTER TABLE scheduled_session_counts DROP COLUMN changes;
