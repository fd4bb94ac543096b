-- The instructor workflow: claims with an expiry, who completed a session, notes for the
-- student, cancellation by the student; and an append-only events table. Additive only:
-- the seed's columns keep their meaning, and rows written without these columns read as
-- pending or completed.
ALTER TABLE scheduled_sessions ADD COLUMN claimed_by INTEGER REFERENCES users (id);
ALTER TABLE scheduled_sessions ADD COLUMN claim_expires_at DATETIME;
ALTER TABLE scheduled_sessions ADD COLUMN completed_by INTEGER REFERENCES users (id);
ALTER TABLE scheduled_sessions ADD COLUMN student_notes TEXT;
ALTER TABLE scheduled_sessions ADD COLUMN cancelled_at DATETIME;
ALTER TABLE scheduled_sessions ADD COLUMN cancel_reason TEXT;

-- An instructor's claims ("mine", the live-claims limit) and a student's open sessions (the
-- open-session limit).
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_claimed_by
    ON scheduled_sessions (claimed_by, claim_expires_at) WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_open_by_user
    ON scheduled_sessions (user_id)
    WHERE session_completed_at IS NULL AND cancelled_at IS NULL;

-- No foreign key to scheduled_sessions: the trail outlives a row the platform may delete.
CREATE TABLE IF NOT EXISTS scheduled_session_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL,
    occurred_at DATETIME NOT NULL,
    actor_id INTEGER,
    kind VARCHAR(20) NOT NULL,
    from_state VARCHAR(20),
    to_state VARCHAR(20) NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS idx_scheduled_session_events_session
    ON scheduled_session_events (session_id, id);

-- Append-only: the audit trail cannot be rewritten, whoever connects.
CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_no_update
BEFORE UPDATE ON scheduled_session_events
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events is append-only');
END;
CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_no_delete
BEFORE DELETE ON scheduled_session_events
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events is append-only');
END;

-- The counter now counts open sessions (neither completed nor cancelled) as pending, and
-- cancelled ones apart.
ALTER TABLE scheduled_session_counts ADD COLUMN cancelled_count BIGINT NOT NULL DEFAULT 0;

DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_insert;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_delete;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_update;

UPDATE scheduled_session_counts
SET pending_count = (SELECT COUNT(*) FROM scheduled_sessions
                     WHERE session_completed_at IS NULL AND cancelled_at IS NULL),
    completed_count = (SELECT COUNT(*) FROM scheduled_sessions
                       WHERE session_completed_at IS NOT NULL),
    cancelled_count = (SELECT COUNT(*) FROM scheduled_sessions
                       WHERE session_completed_at IS NULL AND cancelled_at IS NOT NULL)
WHERE id = 1;

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
