//! What the pool reports to the `metrics` facade (a no-op until the application installs a
//! recorder, as the `sensei` binary does for `/metrics`): how long each call waited for a
//! connection, how many waits ended without one, and the pool's connections in use and idle.

use std::time::Duration;

/// The histogram of the time spent getting a pooled connection, in seconds, by `backend`.
pub const POOL_WAIT_SECONDS: &str = "sensei_db_pool_wait_seconds";

/// The counter of checkouts that gave up (pool timeout: database down or every connection
/// busy), by `backend`.
pub const POOL_TIMEOUTS_TOTAL: &str = "sensei_db_pool_timeouts_total";

/// The counter of waits behind this process's own database work (contention, not an
/// outage), by `queue`: `pool` (a request waited for a connection that its neighbours were
/// using), `writer` (a SQLite write waited longer than the database timeout for the writes
/// queued before it, and went on waiting because they kept finishing).
pub const CONTENTION_TOTAL: &str = "sensei_db_contention_total";

/// Counts a request that had to queue for a connection.
pub(crate) fn record_queued() {
    metrics::counter!(CONTENTION_TOTAL, "queue" => "pool").increment(1);
}

/// Counts a SQLite write that waited past the database timeout behind writes that kept
/// finishing.
pub(crate) fn record_writer_backlog() {
    metrics::counter!(CONTENTION_TOTAL, "queue" => "writer").increment(1);
}

/// Which backend a connection type is, for the `backend` label.
pub(crate) trait Backend {
    /// `sqlite` or `postgres`.
    const BACKEND: &'static str;
}

#[cfg(feature = "sqlite")]
impl Backend for diesel::sqlite::SqliteConnection {
    const BACKEND: &'static str = "sqlite";
}

#[cfg(feature = "postgres")]
impl Backend for diesel::pg::PgConnection {
    const BACKEND: &'static str = "postgres";
}

/// Records one checkout: the time it took and whether it gave a connection.
pub(crate) fn record_wait(backend: &'static str, waited: Duration, got_one: bool) {
    metrics::histogram!(POOL_WAIT_SECONDS, "backend" => backend).record(waited.as_secs_f64());
    if !got_one {
        metrics::counter!(POOL_TIMEOUTS_TOTAL, "backend" => backend).increment(1);
    }
}

/// The pool's connections at one moment ([`crate::Database::pool_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open (in use + idle).
    pub connections: u32,
    /// Connections open and waiting in the pool.
    pub idle: u32,
}

impl PoolState {
    /// Connections checked out now.
    pub fn in_use(&self) -> u32 {
        self.connections.saturating_sub(self.idle)
    }
}

impl From<diesel::r2d2::State> for PoolState {
    fn from(state: diesel::r2d2::State) -> Self {
        Self {
            connections: state.connections,
            idle: state.idle_connections,
        }
    }
}
