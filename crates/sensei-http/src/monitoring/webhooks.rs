//! Webhook delivery: attempts by outcome, their latency, and how far behind delivery is.

use chrono::{DateTime, Utc};
use sensei_core::{NextStep, OutboxStats};

/// Counter: delivery attempts by `outcome`: `delivered`, `retry` (failed, tried again later),
/// `failed` (failed and given up after the retry period).
pub const DELIVERIES_TOTAL: &str = "sensei_webhook_deliveries_total";

/// Histogram: seconds one attempt took (answer, error or timeout).
pub const ATTEMPT_SECONDS: &str = "sensei_webhook_attempt_seconds";

/// Gauge: deliveries neither delivered nor given up (sampled every 5 s by each worker).
pub const OUTBOX_DEPTH: &str = "sensei_webhook_outbox_depth";

/// Gauge: age in seconds of the oldest of them (0 when none).
pub const OLDEST_UNDELIVERED_SECONDS: &str = "sensei_webhook_oldest_undelivered_seconds";

/// Counts one attempt.
pub fn attempt(next: NextStep, latency_ms: u32) {
    metrics::counter!(DELIVERIES_TOTAL, "outcome" => next.outcome()).increment(1);
    metrics::histogram!(ATTEMPT_SECONDS).record(f64::from(latency_ms) / 1000.0);
}

/// Sets the outbox gauges.
pub fn outbox(stats: OutboxStats, now: DateTime<Utc>) {
    metrics::gauge!(OUTBOX_DEPTH).set(stats.undelivered as f64);
    let age = stats.oldest_undelivered.map_or(0.0, |oldest| {
        (now - oldest).num_milliseconds().max(0) as f64 / 1000.0
    });
    metrics::gauge!(OLDEST_UNDELIVERED_SECONDS).set(age);
}
