-- Each account's display preferences, apart from the platform's `users` table (which the
-- platform owns). `time_zone`: an IANA zone name pages show times in; NULL means UTC.
CREATE TABLE IF NOT EXISTS user_preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    time_zone VARCHAR(64),
    updated_at TIMESTAMP NOT NULL
);
