DROP TRIGGER IF EXISTS scheduled_session_events_notify ON scheduled_session_events;
DROP FUNCTION IF EXISTS scheduled_session_events_notify();
