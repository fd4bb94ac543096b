-- The feature's own table, exactly as the platform's Python migration
-- (quoted in docs/persistence.md) creates it. IF NOT EXISTS: a database where that
-- migration already ran is adopted as it is, rows included.
CREATE TABLE IF NOT EXISTS scheduled_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    eligibility_reason VARCHAR(50),
    goals_passed INTEGER DEFAULT 0,
    goals_engaged INTEGER DEFAULT 0,
    total_goals INTEGER DEFAULT 0,
    scheduled_at DATETIME NOT NULL,
    session_completed_at DATETIME,
    notes TEXT,
    FOREIGN KEY (submission_id) REFERENCES submissions (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_submission ON scheduled_sessions (submission_id);
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_user ON scheduled_sessions (user_id);
