-- The live stream across processes needs nothing new on SQLite: each server process polls the
-- change counter the dashboards already keep (`scheduled_session_counts.changes`, migration
-- 2024-01-08-000000_queue_change_counter) and reads the new events by id when it moves. This
-- migration exists so both backends have the same versions (PostgreSQL adds a NOTIFY trigger).
SELECT 1;
