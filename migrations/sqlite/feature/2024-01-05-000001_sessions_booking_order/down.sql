DROP INDEX IF EXISTS idx_scheduled_sessions_booked;
