-- Destroys the table and its rows, including rows the platform wrote.
DROP TABLE IF EXISTS scheduled_sessions;
