-- API tokens (`Authorization: Bearer` on the JSON API): the SHA-256 digest (64 hex digits)
-- of each token, never the token itself, so a copy of the database holds no working token.
-- The unique digest is the lookup index (one indexed lookup joined to users per request).
-- A revoked token keeps its row (revoked_at) so listings show what happened to it.
-- last_used_at is written at most once a minute per token.
CREATE TABLE IF NOT EXISTS api_tokens (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL DEFAULT '',
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens (user_id, id);
