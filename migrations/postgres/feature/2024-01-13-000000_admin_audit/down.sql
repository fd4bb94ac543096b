CREATE OR REPLACE FUNCTION scheduled_session_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'scheduled_session_events is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TABLE IF EXISTS erasures;
DROP FUNCTION IF EXISTS erasures_close_only();
DROP TABLE IF EXISTS admin_audit;
DROP FUNCTION IF EXISTS admin_audit_append_only();
