-- Server-side sign-in sessions. The private session cookie carries only `id`; a request is
-- signed in while its row exists and has not expired, so signing out (deleting the row) ends
-- it everywhere, and the user's current role and email are read with it on every request.
CREATE TABLE IF NOT EXISTS auth_sessions (
    -- 32 random bytes, base64url without padding (43 characters).
    id TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- Purging expired rows reads this range; the user index serves ON DELETE CASCADE.
CREATE INDEX IF NOT EXISTS ix_auth_sessions_expires_at ON auth_sessions (expires_at);
CREATE INDEX IF NOT EXISTS ix_auth_sessions_user_id ON auth_sessions (user_id);
