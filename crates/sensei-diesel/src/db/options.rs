//! Connection pool settings.

use std::time::Duration;

use super::DatabaseUrl;

/// Connection pool settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// How long a caller waits for a free (or new) connection before the call fails with
    /// [`sensei_core::RepositoryError::Unavailable`]. Kept short so an outage fails fast.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    /// 8 connections and a 2 s timeout: right for SQLite (one writer at a time anyway) and a
    /// small PostgreSQL deployment. See [`PoolOptions::for_url`].
    fn default() -> Self {
        PoolOptions {
            max_connections: 8,
            connection_timeout: Duration::from_secs(2),
        }
    }
}

impl PoolOptions {
    /// Defaults per backend: 8 connections for SQLite; for PostgreSQL twice the CPU cores
    /// this process may use, between 4 and 16; 2 s timeout.
    ///
    /// Why not more for PostgreSQL: every connection is a server process, and more busy
    /// processes than cores only queue for the CPU. On a 2-core machine serving 16 concurrent
    /// clients, 4 connections gave the dashboard 3,300 pages/s with p99 10 ms; 8 gave the
    /// same throughput with p99 above 300 ms (docs/benchmarks.md).
    pub fn for_url(url: &DatabaseUrl) -> PoolOptions {
        match url {
            DatabaseUrl::Sqlite(_) => PoolOptions::default(),
            DatabaseUrl::Postgres(_) => {
                let cores = std::thread::available_parallelism().map_or(2, usize::from);
                PoolOptions {
                    max_connections: u32::try_from(2 * cores).unwrap_or(16).clamp(4, 16),
                    ..PoolOptions::default()
                }
            }
        }
    }
}
