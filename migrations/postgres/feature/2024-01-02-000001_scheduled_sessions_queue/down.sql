DROP TRIGGER IF EXISTS trg_scheduled_sessions_counts ON scheduled_sessions;
DROP FUNCTION IF EXISTS scheduled_sessions_maintain_counts();
DROP TABLE IF EXISTS scheduled_session_counts;
DROP INDEX IF EXISTS idx_scheduled_sessions_pending;
DROP INDEX IF EXISTS idx_scheduled_sessions_dedup;
