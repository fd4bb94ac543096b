DROP TRIGGER IF EXISTS trg_scheduled_session_events_email ON scheduled_session_events;
DROP FUNCTION IF EXISTS scheduled_session_events_email();
DROP TABLE IF EXISTS session_meetings;
DROP TABLE IF EXISTS email_links;
DROP TABLE IF EXISTS email_opt_outs;
DROP TABLE IF EXISTS email_deliveries;
DROP TABLE IF EXISTS password_resets;
DROP TABLE IF EXISTS email_settings;
