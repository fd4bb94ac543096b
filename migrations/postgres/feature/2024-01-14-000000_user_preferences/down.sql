DROP TABLE IF EXISTS user_preferences;
