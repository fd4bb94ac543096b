-- The feature's own table: the platform's SQLite DDL (quoted in docs/persistence.md)
-- with PostgreSQL's equivalent types (SQLAlchemy: Integer -> INTEGER, String(50) ->
-- VARCHAR(50), DateTime -> TIMESTAMP WITHOUT TIME ZONE, Text -> TEXT). IF NOT EXISTS: a
-- database where the platform already created it is adopted as it is, rows included.
CREATE TABLE IF NOT EXISTS scheduled_sessions (
    id SERIAL PRIMARY KEY,
    submission_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    eligibility_reason VARCHAR(50),
    goals_passed INTEGER DEFAULT 0,
    goals_engaged INTEGER DEFAULT 0,
    total_goals INTEGER DEFAULT 0,
    scheduled_at TIMESTAMP NOT NULL,
    session_completed_at TIMESTAMP,
    notes TEXT,
    FOREIGN KEY (submission_id) REFERENCES submissions (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_submission ON scheduled_sessions (submission_id);
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_user ON scheduled_sessions (user_id);
