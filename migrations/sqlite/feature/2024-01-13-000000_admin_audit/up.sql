-- Who changed what: changes to accounts, roles, tokens and webhook endpoints, written in the
-- change's own transaction. Ids only (the account, the endpoint or token), never an email,
-- a password, a hash or a secret, so erasing a person leaves nothing of them here.
-- Additive: new tables, no change to the platform's columns.
CREATE TABLE IF NOT EXISTS admin_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at DATETIME NOT NULL,
    -- The signed-in user who made the change, or NULL for an operator (then actor_name).
    actor_id INTEGER,
    actor_name VARCHAR(100),
    kind VARCHAR(30) NOT NULL,
    subject_user_id INTEGER,
    object_id BIGINT,
    detail VARCHAR(200)
);

-- Append-only, like the session events: the record cannot be rewritten by a statement.
CREATE TRIGGER IF NOT EXISTS trg_admin_audit_no_update
BEFORE UPDATE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'admin_audit is append-only');
END;
CREATE TRIGGER IF NOT EXISTS trg_admin_audit_no_delete
BEFORE DELETE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'admin_audit is append-only');
END;
CREATE TRIGGER IF NOT EXISTS trg_admin_audit_no_replace
BEFORE INSERT ON admin_audit
WHEN EXISTS (SELECT 1 FROM admin_audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'admin_audit is append-only: ids cannot be replaced');
END;

-- Erasures (`sensei user erase`): the one sanctioned rewrite of the session events. The
-- eraser inserts a row here with in_progress = 1 first, rewrites the person's event details
-- to the tombstone, and sets in_progress = 0 before its transaction commits; SQLite has one
-- writer, so no other statement runs while a row is in progress.
CREATE TABLE IF NOT EXISTS erasures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    erased_at DATETIME NOT NULL,
    in_progress BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS idx_erasures_in_progress ON erasures (in_progress, user_id);

-- An erasure can only be closed, never reopened, changed or removed.
CREATE TRIGGER IF NOT EXISTS trg_erasures_close_only
BEFORE UPDATE ON erasures
WHEN NOT (OLD.in_progress = 1 AND NEW.in_progress = 0 AND NEW.id = OLD.id
          AND NEW.user_id = OLD.user_id AND NEW.erased_at = OLD.erased_at)
BEGIN
    SELECT RAISE(ABORT, 'erasures can only be closed');
END;
CREATE TRIGGER IF NOT EXISTS trg_erasures_no_delete
BEFORE DELETE ON erasures
BEGIN
    SELECT RAISE(ABORT, 'erasures are kept');
END;

-- The session events stay append-only, with one exception: an UPDATE that only replaces a
-- detail with the tombstone '[erased]', of an event of a person being erased (the session is
-- theirs, or they acted), while their erasure is in progress. Every other UPDATE is refused
-- as before (DELETE and replacement by their own triggers).
DROP TRIGGER IF EXISTS trg_scheduled_session_events_no_update;
CREATE TRIGGER trg_scheduled_session_events_no_update
BEFORE UPDATE ON scheduled_session_events
WHEN NOT (
    NEW.detail IS '[erased]' AND OLD.detail IS NOT NULL AND OLD.detail IS NOT '[erased]'
    AND NEW.id IS OLD.id AND NEW.session_id IS OLD.session_id
    AND NEW.occurred_at IS OLD.occurred_at AND NEW.actor_id IS OLD.actor_id
    AND NEW.kind IS OLD.kind AND NEW.from_state IS OLD.from_state
    AND NEW.to_state IS OLD.to_state
    AND EXISTS (
        SELECT 1 FROM erasures e
        WHERE e.in_progress = 1
          AND (e.user_id IS OLD.actor_id
               OR e.user_id IN (SELECT s.user_id FROM scheduled_sessions s
                                WHERE s.id = OLD.session_id))
    )
)
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events is append-only');
END;
