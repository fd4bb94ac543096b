DROP TRIGGER IF EXISTS trg_scheduled_session_events_no_update;
CREATE TRIGGER trg_scheduled_session_events_no_update
BEFORE UPDATE ON scheduled_session_events
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events is append-only');
END;
DROP TRIGGER IF EXISTS trg_erasures_no_delete;
DROP TRIGGER IF EXISTS trg_erasures_close_only;
DROP TABLE IF EXISTS erasures;
DROP TRIGGER IF EXISTS trg_admin_audit_no_replace;
DROP TRIGGER IF EXISTS trg_admin_audit_no_delete;
DROP TRIGGER IF EXISTS trg_admin_audit_no_update;
DROP TABLE IF EXISTS admin_audit;
