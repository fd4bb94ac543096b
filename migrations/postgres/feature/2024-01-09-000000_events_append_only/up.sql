-- The audit trail refuses TRUNCATE too, not only UPDATE and DELETE (migration
-- 2024-01-04-000000_session_workflow): TRUNCATE fires no row triggers, only statement-level
-- TRUNCATE triggers, and it empties the table even through `TRUNCATE other CASCADE`.
-- Upserts (`INSERT ... ON CONFLICT DO UPDATE`) and `MERGE` go through the row-level
-- UPDATE/DELETE trigger already, so they are refused as they are.
DROP TRIGGER IF EXISTS trg_scheduled_session_events_no_truncate ON scheduled_session_events;
CREATE TRIGGER trg_scheduled_session_events_no_truncate
BEFORE TRUNCATE ON scheduled_session_events
FOR EACH STATEMENT EXECUTE FUNCTION scheduled_session_events_append_only();
