-- The instructor workflow: claims with an expiry, who completed a session, notes for the
-- student, cancellation by the student; and an append-only events table. Additive only:
-- the seed's columns keep their meaning, and rows written without these columns read as
-- pending or completed.
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS claimed_by INTEGER REFERENCES users (id);
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS claim_expires_at TIMESTAMP;
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS completed_by INTEGER REFERENCES users (id);
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS student_notes TEXT;
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS cancelled_at TIMESTAMP;
ALTER TABLE scheduled_sessions ADD COLUMN IF NOT EXISTS cancel_reason TEXT;

CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_claimed_by
    ON scheduled_sessions (claimed_by, claim_expires_at) WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_open_by_user
    ON scheduled_sessions (user_id)
    WHERE session_completed_at IS NULL AND cancelled_at IS NULL;

-- No foreign key to scheduled_sessions: the trail outlives a row the platform may delete.
CREATE TABLE IF NOT EXISTS scheduled_session_events (
    id SERIAL PRIMARY KEY,
    session_id INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id INTEGER,
    kind VARCHAR(20) NOT NULL,
    from_state VARCHAR(20),
    to_state VARCHAR(20) NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS idx_scheduled_session_events_session
    ON scheduled_session_events (session_id, id);

-- Append-only: the audit trail cannot be rewritten, whoever connects.
CREATE OR REPLACE FUNCTION scheduled_session_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'scheduled_session_events is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS trg_scheduled_session_events_append_only ON scheduled_session_events;
CREATE TRIGGER trg_scheduled_session_events_append_only
BEFORE UPDATE OR DELETE ON scheduled_session_events
FOR EACH ROW EXECUTE FUNCTION scheduled_session_events_append_only();

-- The counter now counts open sessions (neither completed nor cancelled) as pending, and
-- cancelled ones apart.
ALTER TABLE scheduled_session_counts ADD COLUMN IF NOT EXISTS cancelled_count BIGINT NOT NULL DEFAULT 0;

LOCK TABLE scheduled_sessions IN SHARE ROW EXCLUSIVE MODE;

UPDATE scheduled_session_counts
SET pending_count = (SELECT COUNT(*) FROM scheduled_sessions
                     WHERE session_completed_at IS NULL AND cancelled_at IS NULL),
    completed_count = (SELECT COUNT(*) FROM scheduled_sessions
                       WHERE session_completed_at IS NOT NULL),
    cancelled_count = (SELECT COUNT(*) FROM scheduled_sessions
                       WHERE session_completed_at IS NULL AND cancelled_at IS NOT NULL)
WHERE id = 1;

CREATE OR REPLACE FUNCTION scheduled_sessions_maintain_counts() RETURNS trigger AS $$
DECLARE
    pending_delta BIGINT := 0;
    completed_delta BIGINT := 0;
    cancelled_delta BIGINT := 0;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        IF NEW.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta + 1;
        ELSIF NEW.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta + 1;
        ELSE
            pending_delta := pending_delta + 1;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
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
        WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;
CREATE TRIGGER trg_scheduled_sessions_counts
AFTER INSERT OR DELETE OR UPDATE OF session_completed_at, cancelled_at ON scheduled_sessions
FOR EACH ROW EXECUTE FUNCTION scheduled_sessions_maintain_counts();
