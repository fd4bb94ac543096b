-- A change counter for readers that keep what they read: every insert, update and delete of
-- a scheduled session adds one to `changes`, in the writer's transaction. It only grows, so a
-- reader that read it before reading the queue, and reads the same value later, knows that no
-- change has committed in between (the dashboard's cache in
-- `repo/sessions/dashboard_cache.rs`). The update trigger now fires on every update, not only
-- on those that complete or cancel: claims, renewals and notes count as changes too.
ALTER TABLE scheduled_session_counts ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

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
            + (NEW.session_completed_at IS NULL AND NEW.cancelled_at IS NOT NULL),
        changes = changes + 1
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
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NOT NULL),
        changes = changes + 1
    WHERE id = 1;
END;

CREATE TRIGGER trg_scheduled_sessions_count_update
AFTER UPDATE ON scheduled_sessions
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
            - (OLD.session_completed_at IS NULL AND OLD.cancelled_at IS NOT NULL),
        changes = changes + 1
    WHERE id = 1;
END;
