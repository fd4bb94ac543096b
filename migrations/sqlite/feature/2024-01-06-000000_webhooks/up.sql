-- Webhooks: endpoints, a transactional outbox (one delivery per endpoint and audit event,
-- written by a trigger in the transaction that appends the event, whoever appends it), and
-- the delivery log.

-- `secret` is the HMAC key in clear (64 hex digits): signing needs it back.
-- `event_kinds` is NULL for every event, else ',booked,claimed,' (a substring test below).
-- `down_until`: the receiver did not answer; its deliveries wait until then (a breaker).
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_kinds TEXT,
    created_at DATETIME NOT NULL,
    down_until DATETIME
);

-- status: 'pending' until delivered ('delivered') or given up ('failed'). A worker leases a
-- due row by setting leased_until/lease_owner; the lease lapses if the worker dies.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES scheduled_session_events (id),
    created_at DATETIME NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    leased_until DATETIME,
    lease_owner TEXT,
    finished_at DATETIME,
    UNIQUE (endpoint_id, event_id)
);
-- The worker's "what is due" and the outbox depth read only undelivered rows.
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_due
    ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_undelivered
    ON webhook_deliveries (created_at) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at DATETIME NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT,
    outcome VARCHAR(20) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_webhook_attempts_delivery ON webhook_attempts (delivery_id);

CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_webhooks
AFTER INSERT ON scheduled_session_events
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event_id, created_at, next_attempt_at)
    SELECT id, NEW.id, NEW.occurred_at, NEW.occurred_at
    FROM webhook_endpoints
    WHERE event_kinds IS NULL OR instr(event_kinds, ',' || NEW.kind || ',') > 0;
END;
