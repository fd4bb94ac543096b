//! What every pooled connection gets on checkout: SQLite pragmas, PostgreSQL session
//! settings, the optional statement counter.

use diesel::connection::SimpleConnection;
#[cfg(feature = "postgres")]
use diesel::pg::PgConnection;
use diesel::r2d2::CustomizeConnection;
#[cfg(feature = "sqlite")]
use diesel::sqlite::SqliteConnection;

use super::manager::Managed;
use super::StatementCounter;

#[cfg(feature = "sqlite")]
#[derive(Debug)]
pub(super) struct SqliteCustomizer {
    pub(super) counter: Option<StatementCounter>,
    /// How long SQLite waits for a lock held by another connection or process: the database
    /// timeout, the same bound as the writer queue's wait.
    pub(super) busy_timeout: std::time::Duration,
}

#[cfg(feature = "sqlite")]
impl CustomizeConnection<Managed<SqliteConnection>, diesel::r2d2::Error> for SqliteCustomizer {
    fn on_acquire(
        &self,
        managed: &mut Managed<SqliteConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        let conn = &mut managed.conn;
        // busy_timeout first: switching to WAL itself needs a lock another connection may hold.
        let pragmas = [
            format!("PRAGMA busy_timeout = {}", self.busy_timeout.as_millis()),
            "PRAGMA journal_mode = WAL".to_owned(),
            "PRAGMA synchronous = NORMAL".to_owned(),
            "PRAGMA foreign_keys = ON".to_owned(),
        ];
        for pragma in &pragmas {
            conn.batch_execute(pragma)
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let Some(counter) = &self.counter {
            counter.install(conn);
        }
        Ok(())
    }
}

#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(super) struct PgCustomizer {
    pub(super) counter: Option<StatementCounter>,
}

#[cfg(feature = "postgres")]
impl CustomizeConnection<Managed<PgConnection>, diesel::r2d2::Error> for PgCustomizer {
    fn on_acquire(&self, managed: &mut Managed<PgConnection>) -> Result<(), diesel::r2d2::Error> {
        let conn = &mut managed.conn;
        conn.batch_execute("SET TIME ZONE 'UTC'")
            .map_err(diesel::r2d2::Error::QueryError)?;
        // Memoize (PostgreSQL 14+) sizes its cache by the estimated number of distinct join
        // keys (tens of thousands of users once the tables are analysed) and allocates and
        // zeroes it on every execution: a 26-row queue page spent most of its time there
        // (1,300 instead of 3,300 pages/s). Our joins are primary-key lookups of a few rows.
        // Older servers do not know the setting; that is fine.
        if let Err(error) = conn.batch_execute("SET enable_memoize = off") {
            tracing::debug!(%error, "enable_memoize not set");
        }
        // No parallel workers: every statement here reads a few rows by index. Once a
        // prepared statement runs on a generic plan (after five executions), PostgreSQL
        // planned the queue page as a parallel index scan, and starting the workers took
        // 6-10 ms of a page that reads in 0.3 ms (the deep page at 100,000 sessions ran at a
        // third of its speed at 1,000).
        conn.batch_execute("SET max_parallel_workers_per_gather = 0")
            .map_err(diesel::r2d2::Error::QueryError)?;
        // Plan each prepared statement once. By default PostgreSQL plans the first five
        // executions with their values and keeps doing so while a generic plan looks dearer:
        // the queue page was planned on every request (0.8 ms planning for a 0.3 ms read),
        // and its generic plan is the same index scan. Every statement here is a short
        // indexed read or write whose plan does not depend on the values bound.
        conn.batch_execute("SET plan_cache_mode = force_generic_plan")
            .map_err(diesel::r2d2::Error::QueryError)?;
        if let Some(counter) = &self.counter {
            counter.install(conn);
        }
        Ok(())
    }
}
