-- Standalone platform schema: what the bundled service uses when it is not embedded in the
-- platform. Times are UTC in TIMESTAMP (without time zone), as SQLAlchemy's DateTime maps.
CREATE TABLE IF NOT EXISTS users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    role VARCHAR(20) NOT NULL DEFAULT 'student',
    password_hash VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS challenges (
    id SERIAL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS goals (
    id SERIAL PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    title VARCHAR(200) NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_goals_challenge ON goals (challenge_id, position, id);

CREATE TABLE IF NOT EXISTS submissions (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    submitted_at TIMESTAMP NOT NULL,
    content TEXT
);
CREATE INDEX IF NOT EXISTS idx_submissions_user ON submissions (user_id, submitted_at, id);
CREATE INDEX IF NOT EXISTS idx_submissions_challenge ON submissions (challenge_id);

CREATE TABLE IF NOT EXISTS reviews (
    id SERIAL PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    verdict VARCHAR(50) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_reviews_submission ON reviews (submission_id, created_at, id);

CREATE TABLE IF NOT EXISTS goal_progress (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    goal_id INTEGER NOT NULL REFERENCES goals (id),
    status VARCHAR(20) NOT NULL DEFAULT 'not_started',
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, goal_id)
);
CREATE INDEX IF NOT EXISTS idx_goal_progress_goal ON goal_progress (goal_id);

CREATE TABLE IF NOT EXISTS agent_sessions (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    goal_id INTEGER REFERENCES goals (id),
    started_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_agent_sessions_user_challenge
    ON agent_sessions (user_id, challenge_id, started_at, id);

CREATE TABLE IF NOT EXISTS agent_messages (
    id SERIAL PRIMARY KEY,
    agent_session_id INTEGER NOT NULL REFERENCES agent_sessions (id),
    role VARCHAR(20) NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_agent_messages_session
    ON agent_messages (agent_session_id, created_at, id);

CREATE TABLE IF NOT EXISTS anatomy_conversations (
    id SERIAL PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    title VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_anatomy_conversations_submission
    ON anatomy_conversations (submission_id, created_at, id);

CREATE TABLE IF NOT EXISTS anatomy_messages (
    id SERIAL PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES anatomy_conversations (id),
    role VARCHAR(20) NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_anatomy_messages_conversation
    ON anatomy_messages (conversation_id, created_at, id);
