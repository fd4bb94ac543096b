//! The database handle: pools per backend, set-up, readiness. One job per file:
//!
//! * `url.rs`: [`DatabaseUrl`], where the database is;
//! * `options.rs`: [`PoolOptions`];
//! * `statements.rs`: [`StatementCounter`];
//! * `manager.rs` and `customize.rs`: the r2d2 manager and what each connection gets on
//!   checkout (pragmas, session settings);
//! * `migrate.rs`: [`Database::migrate`] and [`Database::migrate_feature_only`];
//! * `cached.rs`: hand-written SQL kept in each connection's statement cache;
//! * `gate.rs`: the asynchronous queue in front of the pool (contention is not an outage);
//! * `blocking.rs`: running Diesel code on Tokio's blocking pool (`run`, `with_conn!`,
//!   `with_write_conn!`);
//! * `write.rs`: `WriteConn` (atomic writes per backend) and the SQLite file's identity;
//! * `writer.rs`: the SQLite writer thread that runs every write of this process;
//! * `backup.rs`: [`Database::backup_to`] (SQLite's `VACUUM INTO`);
//! * `backup_target.rs`: the backup's file, created exclusively (never through a link);
//! * `startup_lock.rs`: [`Database::startup_lock`], start-up work one process at a time;
//! * `pool_metrics.rs`: the pool's gauges and wait histogram;
//! * `sqlite_build.rs`: the SQLite library's compile-time options, checked on opening;
//! * `sqlite_qpsg.rs`: plans independent of bound values on every SQLite connection, whatever
//!   the library's build.
//!
//! Each backend is behind its cargo feature (`sqlite`, `postgres`): the [`Pools`] variant,
//! its match arms and its trait impls carry `#[cfg(feature = ...)]`; the code path is one.

mod backup;
#[cfg(feature = "sqlite")]
mod backup_target;
mod blocking;
mod cached;
mod customize;
mod gate;
mod manager;
mod migrate;
mod options;
mod pool_metrics;
mod sqlite_build;
#[cfg(feature = "sqlite")]
mod sqlite_qpsg;
mod startup_lock;
mod statements;
mod url;
mod write;
mod writer;

#[cfg(feature = "postgres")]
use diesel::pg::PgConnection;
use diesel::r2d2::Pool;
#[cfg(feature = "sqlite")]
use diesel::sqlite::SqliteConnection;
use diesel::RunQueryDsl;
use sensei_core::RepositoryError;

pub use backup::{BackupSummary, POSTGRES_BACKUP_HINT};
pub(crate) use blocking::{run, with_conn, with_write_conn};
pub(crate) use cached::{cached, Cached};
#[cfg(feature = "postgres")]
use customize::PgCustomizer;
#[cfg(feature = "sqlite")]
use customize::SqliteCustomizer;
pub(crate) use gate::PoolGate;
pub(crate) use manager::Manager;
pub use options::PoolOptions;
pub use pool_metrics::PoolState;
pub use sqlite_build::{SqliteBuildWarning, SQLITE_BUILD_FLAGS};
pub use startup_lock::StartupLock;
pub use statements::StatementCounter;
pub use url::DatabaseUrl;
#[cfg(feature = "sqlite")]
pub(crate) use write::SqliteFile;
pub(crate) use write::{sql_for, UserLock, WriteConn};
pub(crate) use writer::WriterQueue;

use crate::error::DatabaseError;
use crate::repo::sessions::dashboard_cache::DashboardCache;
use std::sync::Arc;

/// The pools, one variant per backend.
#[derive(Clone)]
pub(crate) enum Pools {
    #[cfg(feature = "sqlite")]
    Sqlite(Pool<Manager<SqliteConnection>>),
    #[cfg(feature = "postgres")]
    Postgres(Pool<Manager<PgConnection>>),
}

/// A pooled database: SQLite or PostgreSQL. Cheap to clone (the pool and the SQLite writer
/// queue are shared by the clones).
#[derive(Clone)]
pub struct Database {
    pub(crate) pools: Pools,
    /// This database's SQLite writer thread (unused on PostgreSQL, which locks rows).
    pub(crate) writers: WriterQueue,
    /// Dashboards read recently, reused while nothing they show can have changed.
    pub(crate) dashboards: Arc<DashboardCache>,
    /// The asynchronous queue in front of the pool.
    pub(crate) gate: PoolGate,
    /// What the connections open (the SQLite path or the PostgreSQL URL), for the start-up
    /// lock.
    pub(crate) target: Arc<str>,
    /// The compile-time options the SQLite library lacks (none on PostgreSQL).
    pub(crate) sqlite_warnings: Arc<[SqliteBuildWarning]>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Builds the pool. Does not wait for PostgreSQL: an unreachable server makes this return
    /// at once, and calls fail with [`RepositoryError::Unavailable`] until it is back (use
    /// [`Database::ping`] for readiness). A SQLite file is opened once to report a bad path now.
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when the SQLite file cannot be opened or configured;
    /// [`DatabaseError::BackendNotBuilt`] when the URL names a backend whose cargo feature
    /// this build lacks.
    pub fn connect(url: &DatabaseUrl, options: PoolOptions) -> Result<Database, DatabaseError> {
        Self::build(url, options, None)
    }

    /// Like [`Database::connect`], with every pooled connection counting the statements it
    /// starts into `counter`.
    ///
    /// # Errors
    /// As [`Database::connect`].
    pub fn connect_counting_statements(
        url: &DatabaseUrl,
        options: PoolOptions,
        counter: StatementCounter,
    ) -> Result<Database, DatabaseError> {
        Self::build(url, options, Some(counter))
    }

    fn build(
        url: &DatabaseUrl,
        options: PoolOptions,
        counter: Option<StatementCounter>,
    ) -> Result<Database, DatabaseError> {
        let max = options.max_connections.max(1);
        match url {
            #[cfg(not(feature = "sqlite"))]
            DatabaseUrl::Sqlite(_) => Err(DatabaseError::BackendNotBuilt {
                backend: "SQLite",
                target: url.to_string(),
                feature: "sqlite",
            }),
            #[cfg(not(feature = "postgres"))]
            DatabaseUrl::Postgres(_) => Err(DatabaseError::BackendNotBuilt {
                backend: "PostgreSQL",
                target: url.to_string(),
                feature: "postgres",
            }),
            #[cfg(feature = "sqlite")]
            DatabaseUrl::Sqlite(path) => {
                let target = path.display().to_string();
                let pool = Pool::builder()
                    .max_size(max)
                    .min_idle(Some(0))
                    .connection_timeout(options.connection_timeout)
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(SqliteCustomizer {
                        counter,
                        busy_timeout: options.connection_timeout,
                    }))
                    .build_unchecked(
                        Manager::new(target.clone()).opening_with(sqlite_qpsg::open_connection),
                    );
                // Opening a file is instant: report a bad path (missing directory, no
                // permission, not a database) here rather than on the first request.
                let mut first = pool.get().map_err(|error| DatabaseError::Connect {
                    backend: "sqlite",
                    target,
                    reason: error.to_string(),
                    hint: "; check that the directory exists and is writable and that the file \
                           is a SQLite database",
                })?;
                // The library's build, once per database: an embedder's build may lack the
                // options this workspace sets (`sqlite_build.rs`).
                let sqlite_warnings =
                    sqlite_build::check(&mut first.conn).unwrap_or_else(|error| {
                        tracing::debug!(%error, "PRAGMA compile_options not read");
                        Vec::new()
                    });
                drop(first);
                for warning in &sqlite_warnings {
                    tracing::warn!(option = warning.option, "{warning}");
                }
                Ok(Database {
                    pools: Pools::Sqlite(pool),
                    writers: WriterQueue::new(
                        options.connection_timeout / 2,
                        SqliteFile::open(path),
                    ),
                    dashboards: Arc::default(),
                    // One connection stays free for the writer thread.
                    gate: PoolGate::new(max.saturating_sub(1), options.connection_timeout),
                    target: Arc::from(path.display().to_string()),
                    sqlite_warnings: sqlite_warnings.into(),
                })
            }
            #[cfg(feature = "postgres")]
            DatabaseUrl::Postgres(raw) => {
                let pool = Pool::builder()
                    .max_size(max)
                    .min_idle(Some(0))
                    .connection_timeout(options.connection_timeout)
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(PgCustomizer { counter }))
                    .build_unchecked(Manager::new(raw.clone()));
                Ok(Database {
                    pools: Pools::Postgres(pool),
                    writers: WriterQueue::new(options.connection_timeout, None),
                    dashboards: Arc::default(),
                    gate: PoolGate::new(max, options.connection_timeout),
                    target: Arc::from(raw.as_str()),
                    sqlite_warnings: Arc::from([]),
                })
            }
        }
    }

    /// The compile-time options the SQLite library lacks, each with its cost and the fix
    /// (logged as warnings when the database was opened); empty on PostgreSQL and when the
    /// library has them all (this workspace's build).
    pub fn sqlite_build_warnings(&self) -> &[SqliteBuildWarning] {
        &self.sqlite_warnings
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => "postgres",
        }
    }

    /// The most connections the pool opens.
    pub fn max_connections(&self) -> u32 {
        match &self.pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => pool.max_size(),
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => pool.max_size(),
        }
    }

    /// The pool's connections now: in use and idle (r2d2's `state()`).
    pub fn pool_state(&self) -> PoolState {
        let state = match &self.pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => pool.state(),
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => pool.state(),
        };
        PoolState::from(state)
    }

    /// `SELECT 1`: whether the database answers now (for readiness probes).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when it does not.
    pub async fn ping(&self) -> Result<(), RepositoryError> {
        with_conn!(self, |conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
    }
}
