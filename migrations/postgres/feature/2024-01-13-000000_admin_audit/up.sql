-- Who changed what: changes to accounts, roles, tokens and webhook endpoints, written in the
-- change's own transaction. Ids only (the account, the endpoint or token), never an email,
-- a password, a hash or a secret, so erasing a person leaves nothing of them here.
-- Additive: new tables, no change to the platform's columns.
CREATE TABLE IF NOT EXISTS admin_audit (
    id SERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    -- The signed-in user who made the change, or NULL for an operator (then actor_name).
    actor_id INTEGER,
    actor_name VARCHAR(100),
    kind VARCHAR(30) NOT NULL,
    subject_user_id INTEGER,
    object_id BIGINT,
    detail VARCHAR(200)
);

-- Append-only, like the session events: no UPDATE, DELETE or TRUNCATE.
CREATE OR REPLACE FUNCTION admin_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS trg_admin_audit_append_only ON admin_audit;
CREATE TRIGGER trg_admin_audit_append_only
BEFORE UPDATE OR DELETE ON admin_audit
FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();
DROP TRIGGER IF EXISTS trg_admin_audit_no_truncate ON admin_audit;
CREATE TRIGGER trg_admin_audit_no_truncate
BEFORE TRUNCATE ON admin_audit
FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();

-- Erasures (`sensei user erase`): the one sanctioned rewrite of the session events. The
-- eraser inserts a row here first (txid: its own transaction), rewrites the person's event
-- details to the tombstone, and closes the row (in_progress = false) before it commits. A
-- row only opens the path inside the transaction that inserted it.
CREATE TABLE IF NOT EXISTS erasures (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL,
    erased_at TIMESTAMP NOT NULL,
    in_progress BOOLEAN NOT NULL DEFAULT TRUE,
    txid BIGINT NOT NULL DEFAULT txid_current()
);
CREATE INDEX IF NOT EXISTS idx_erasures_txid ON erasures (txid) WHERE in_progress;

-- An erasure can only be closed, never reopened, changed or removed.
CREATE OR REPLACE FUNCTION erasures_close_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.in_progress AND NOT NEW.in_progress
       AND NEW.id = OLD.id AND NEW.user_id = OLD.user_id
       AND NEW.erased_at = OLD.erased_at AND NEW.txid = OLD.txid THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'erasures can only be closed';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS trg_erasures_close_only ON erasures;
CREATE TRIGGER trg_erasures_close_only
BEFORE UPDATE OR DELETE ON erasures
FOR EACH ROW EXECUTE FUNCTION erasures_close_only();
DROP TRIGGER IF EXISTS trg_erasures_no_truncate ON erasures;
CREATE TRIGGER trg_erasures_no_truncate
BEFORE TRUNCATE ON erasures
FOR EACH STATEMENT EXECUTE FUNCTION erasures_close_only();

-- The session events stay append-only, with one exception: an UPDATE that only replaces a
-- detail with the tombstone '[erased]', of an event of a person being erased (the session is
-- theirs, or they acted), in the transaction that opened their erasure. Every other UPDATE,
-- DELETE, MERGE or TRUNCATE is refused as before (the same function serves all triggers).
CREATE OR REPLACE FUNCTION scheduled_session_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.detail = '[erased]' AND OLD.detail IS NOT NULL AND OLD.detail <> '[erased]'
       AND NEW.id = OLD.id AND NEW.session_id = OLD.session_id
       AND NEW.occurred_at = OLD.occurred_at AND NEW.kind = OLD.kind
       AND NEW.to_state = OLD.to_state
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.from_state IS NOT DISTINCT FROM OLD.from_state
       AND EXISTS (
           SELECT 1 FROM erasures e
           WHERE e.in_progress AND e.txid = txid_current()
             AND (e.user_id = OLD.actor_id
                  OR e.user_id IN (SELECT s.user_id FROM scheduled_sessions s
                                   WHERE s.id = OLD.session_id))
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'scheduled_session_events is append-only';
END;
$$ LANGUAGE plpgsql;
