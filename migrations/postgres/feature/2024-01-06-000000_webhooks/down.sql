DROP TRIGGER IF EXISTS trg_scheduled_session_events_webhooks ON scheduled_session_events;
DROP FUNCTION IF EXISTS scheduled_session_events_webhooks();
DROP TABLE IF EXISTS webhook_attempts;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhook_endpoints;
