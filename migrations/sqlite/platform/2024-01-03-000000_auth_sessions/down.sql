DROP TABLE IF EXISTS auth_sessions;
