DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_update;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_delete;
DROP TRIGGER IF EXISTS trg_scheduled_sessions_count_insert;
DROP TABLE IF EXISTS scheduled_session_counts;
DROP INDEX IF EXISTS idx_scheduled_sessions_pending;
DROP INDEX IF EXISTS idx_scheduled_sessions_dedup;
