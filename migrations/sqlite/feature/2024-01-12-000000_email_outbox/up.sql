-- Email to students: a transactional outbox beside the webhooks' (one row per audit event that
-- emails the student, written by a trigger in the event's transaction; one per password-reset
-- request), opt-outs, the digests of the links emails carry, reset requests, and the meeting
-- details instructors give with a claim. Rows hold ids only: an email is rendered when sent.

-- One row. Events get an email row only while `enabled_until` is ahead of them: a process
-- started with --smtp-url renews it every minute, so a database nobody sends email from
-- stops collecting rows within minutes of the last such process stopping.
CREATE TABLE IF NOT EXISTS email_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled_until DATETIME
);
INSERT OR IGNORE INTO email_settings (id, enabled_until) VALUES (1, NULL);

-- Reset requests: the link's secret is made when the email is sent and kept as its SHA-256
-- digest only; a request works once, for 30 minutes.
CREATE TABLE IF NOT EXISTS password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    requested_at DATETIME NOT NULL,
    token_digest TEXT UNIQUE,
    used_at DATETIME
);
CREATE INDEX IF NOT EXISTS idx_password_resets_user ON password_resets (user_id);

-- kind: booked, claimed, completed, cancelled (with event_id) or password_reset (reset_id).
-- status: 'pending' until 'sent', 'skipped' (opted out, gone) or 'failed' (given up).
CREATE TABLE IF NOT EXISTS email_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind VARCHAR(20) NOT NULL,
    event_id INTEGER UNIQUE REFERENCES scheduled_session_events (id),
    reset_id INTEGER REFERENCES password_resets (id) ON DELETE CASCADE,
    recipient_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    leased_until DATETIME,
    lease_owner TEXT,
    finished_at DATETIME,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS idx_email_deliveries_due
    ON email_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS email_opt_outs (
    user_id INTEGER PRIMARY KEY,
    opted_out_at DATETIME NOT NULL
);

-- The digests of the opt-out links sent (a fresh secret per email).
CREATE TABLE IF NOT EXISTS email_links (
    digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_email_links_user ON email_links (user_id);

-- Meeting details per session and instructor (shown while that instructor holds it).
CREATE TABLE IF NOT EXISTS session_meetings (
    session_id INTEGER NOT NULL REFERENCES scheduled_sessions (id) ON DELETE CASCADE,
    instructor_id INTEGER NOT NULL,
    link TEXT,
    starts_at DATETIME,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (session_id, instructor_id)
);

CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_email
AFTER INSERT ON scheduled_session_events
WHEN NEW.kind IN ('booked', 'claimed', 'completed', 'cancelled')
BEGIN
    INSERT INTO email_deliveries (kind, event_id, recipient_id, created_at, next_attempt_at)
    SELECT NEW.kind, NEW.id, s.user_id, NEW.occurred_at, NEW.occurred_at
    FROM scheduled_sessions s, email_settings c
    WHERE s.id = NEW.session_id AND c.id = 1 AND c.enabled_until > NEW.occurred_at;
END;
