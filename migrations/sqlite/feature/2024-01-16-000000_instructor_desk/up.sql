-- The instructor's desk. `instructor_presence`: when each instructor was last active (a page
-- load, an API call or an open stream), written at most once a minute per instructor per
-- process; the dashboard lists those seen in the last five minutes (an index range on
-- last_seen_at). `instructor_challenges`: the challenges each instructor mentors ("my
-- challenges"); none means every challenge.
CREATE TABLE IF NOT EXISTS instructor_presence (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seen_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS instructor_presence_seen ON instructor_presence (last_seen_at);
CREATE TABLE IF NOT EXISTS instructor_challenges (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, challenge_id)
);
