-- Instructors' calendar feeds: the SHA-256 digest (64 hex digits) of each feed's secret,
-- never the secret itself, so a copy of the database reveals no working feed address. At
-- most one feed per instructor: a new link replaces the row, and the old secret stops
-- resolving in the same transaction. The unique digest is the lookup index.
CREATE TABLE IF NOT EXISTS calendar_feeds (
    instructor_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
