//! Connection pools, the blocking-call helper and database set-up.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, R2D2Connection,
};
use diesel::sql_types::Integer;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use sensei_core::RepositoryError;

use crate::error::{redact, DatabaseError, Fail};
use crate::migrations;

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file (created if absent).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://...` or `postgresql://...`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `postgres://…`/`postgresql://…` (PostgreSQL), `sqlite://PATH`, `sqlite:PATH` or a
    /// plain file path (SQLite).
    ///
    /// ```
    /// use sensei_diesel::DatabaseUrl;
    /// assert!(matches!(DatabaseUrl::parse("sqlite://data/s.db"), Ok(DatabaseUrl::Sqlite(_))));
    /// assert!(matches!(DatabaseUrl::parse("postgres://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
    /// assert!(DatabaseUrl::parse("mysql://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`DatabaseError::InvalidUrl`] for an empty URL, an unknown scheme, an empty path or an
    /// in-memory SQLite database (each pooled connection would get its own empty database).
    pub fn parse(raw: &str) -> Result<DatabaseUrl, DatabaseError> {
        let trimmed = raw.trim();
        let invalid = |reason: &str| DatabaseError::InvalidUrl {
            url: redact(trimmed),
            reason: reason.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(trimmed.to_owned()));
        }
        let path = if lower.starts_with("sqlite://") {
            &trimmed["sqlite://".len()..]
        } else if lower.starts_with("sqlite:") {
            &trimmed["sqlite:".len()..]
        } else if trimmed.contains("://") {
            return Err(invalid("unsupported scheme"));
        } else {
            trimmed
        };
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(invalid("the SQLite file path is empty"));
        }
        if path == ":memory:" || path.starts_with("file::memory:") {
            return Err(invalid(
                "in-memory SQLite cannot be shared by a connection pool; use a file path",
            ));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

impl std::fmt::Display for DatabaseUrl {
    /// The URL with any password hidden, for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// Connection pool settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// How long a caller waits for a free (or new) connection before the call fails with
    /// [`RepositoryError::Unavailable`]. Kept short so an outage fails fast.
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

/// Counts the SQL statements every pooled connection starts (Diesel instrumentation); for
/// tests and benchmarks that assert a constant number of statements per page.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements started so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn install<C: Connection>(&self, conn: &mut C) {
        let count = Arc::clone(&self.0);
        let instrumentation = move |event: InstrumentationEvent<'_>| {
            if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                count.fetch_add(1, Ordering::SeqCst);
            }
        };
        conn.set_instrumentation(Box::new(instrumentation) as Box<dyn Instrumentation>);
    }
}

/// How long SQLite waits for a lock held by another connection or process.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug)]
struct SqliteCustomizer {
    counter: Option<StatementCounter>,
}

impl CustomizeConnection<Managed<SqliteConnection>, diesel::r2d2::Error> for SqliteCustomizer {
    fn on_acquire(
        &self,
        managed: &mut Managed<SqliteConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        let conn = &mut managed.conn;
        // busy_timeout first: switching to WAL itself needs a lock another connection may hold.
        let pragmas = [
            format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"),
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

#[derive(Debug)]
struct PgCustomizer {
    counter: Option<StatementCounter>,
}

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
        if let Some(counter) = &self.counter {
            counter.install(conn);
        }
        Ok(())
    }
}

/// A pooled connection with a flag the adapter sets when the connection failed at the
/// connection level, so the pool drops it instead of handing a dead connection out again
/// (Diesel's own check only notices broken transactions, not a restarted server).
pub(crate) struct Managed<C> {
    pub(crate) conn: C,
    broken: bool,
}

/// Diesel's r2d2 manager, wrapped to honour [`Managed::broken`].
#[derive(Debug)]
pub(crate) struct Manager<C: 'static> {
    inner: ConnectionManager<C>,
}

impl<C: R2D2Connection + 'static> Manager<C> {
    fn new(url: String) -> Self {
        Manager {
            inner: ConnectionManager::new(url),
        }
    }
}

impl<C: R2D2Connection + Send + 'static> ManageConnection for Manager<C> {
    type Connection = Managed<C>;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Managed<C>, diesel::r2d2::Error> {
        self.inner.connect().map(|conn| Managed {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, managed: &mut Managed<C>) -> Result<(), diesel::r2d2::Error> {
        self.inner.is_valid(&mut managed.conn)
    }

    fn has_broken(&self, managed: &mut Managed<C>) -> bool {
        managed.broken || self.inner.has_broken(&mut managed.conn)
    }
}

/// The pools, one variant per backend.
#[derive(Clone)]
pub(crate) enum Pools {
    Sqlite(Pool<Manager<SqliteConnection>>),
    Postgres(Pool<Manager<PgConnection>>),
}

/// Queues one database's SQLite writers in this process (see [`with_write_conn`]). SQLite has
/// one writer at a time; without the queue, a writer that finds the lock taken waits in
/// SQLite's busy handler, which polls with sleeps of up to 100 ms (booking p99 near 100 ms
/// under load). Waiting here wakes the next writer as soon as the lock is free. A writer
/// takes its turn *before* it checks a connection out of the pool, so queued writers hold no
/// connections and reads are not starved of them. Other processes still meet at the
/// database's lock, bounded by the busy timeout.
pub(crate) type WriterQueue = Arc<std::sync::Mutex<()>>;

/// A pooled database: SQLite or PostgreSQL. Cheap to clone (the pool and the SQLite writer
/// queue are shared by the clones).
#[derive(Clone)]
pub struct Database {
    pub(crate) pools: Pools,
    /// This database's SQLite writer queue (unused on PostgreSQL, which locks rows).
    pub(crate) writers: WriterQueue,
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
    /// [`DatabaseError::Connect`] when the SQLite file cannot be opened or configured.
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
            DatabaseUrl::Sqlite(path) => {
                let target = path.display().to_string();
                let pool = Pool::builder()
                    .max_size(max)
                    .min_idle(Some(0))
                    .connection_timeout(options.connection_timeout)
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(SqliteCustomizer { counter }))
                    .build_unchecked(Manager::new(target.clone()));
                // Opening a file is instant: report a bad path (missing directory, no
                // permission, not a database) here rather than on the first request.
                pool.get().map_err(|error| DatabaseError::Connect {
                    backend: "sqlite",
                    target,
                    reason: error.to_string(),
                    hint: "; check that the directory exists and is writable and that the file \
                           is a SQLite database",
                })?;
                Ok(Database {
                    pools: Pools::Sqlite(pool),
                    writers: WriterQueue::default(),
                })
            }
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
                    writers: WriterQueue::default(),
                })
            }
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite(_) => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }

    /// Runs the platform schema and then the feature's migrations that have not run yet
    /// (standalone service). Returns the versions applied now, in order.
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when no connection can be had; [`DatabaseError::Migration`]
    /// when a migration fails.
    pub async fn migrate(&self) -> Result<Vec<String>, DatabaseError> {
        self.run_migrations(true).await
    }

    /// Runs only the feature's own migrations (`scheduled_sessions`, its indexes and counter):
    /// for a platform that already has its users and submissions tables.
    ///
    /// # Errors
    /// As [`Database::migrate`]; also fails when the platform's `users` or `submissions`
    /// tables are missing on PostgreSQL (foreign keys).
    pub async fn migrate_feature_only(&self) -> Result<Vec<String>, DatabaseError> {
        self.run_migrations(false).await
    }

    async fn run_migrations(&self, with_platform: bool) -> Result<Vec<String>, DatabaseError> {
        let backend = self.backend_name();
        let pools = self.pools.clone();
        let task = tokio::task::spawn_blocking(move || match pools {
            Pools::Sqlite(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sources = if with_platform {
                    vec![migrations::SQLITE_PLATFORM, migrations::SQLITE_FEATURE]
                } else {
                    vec![migrations::SQLITE_FEATURE]
                };
                apply(&mut conn.conn, backend, sources)
            }
            Pools::Postgres(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sources = if with_platform {
                    vec![migrations::POSTGRES_PLATFORM, migrations::POSTGRES_FEATURE]
                } else {
                    vec![migrations::POSTGRES_FEATURE]
                };
                apply(&mut conn.conn, backend, sources)
            }
        });
        task.await
            .map_err(|error| DatabaseError::Task(error.to_string()))?
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

fn connect_error(backend: &'static str, error: &diesel::r2d2::PoolError) -> DatabaseError {
    DatabaseError::Connect {
        backend,
        target: "the configured database".to_owned(),
        reason: error.to_string(),
        hint: "; check that the server is running and the URL, user and database are right",
    }
}

fn apply<C>(
    conn: &mut C,
    backend: &'static str,
    sources: Vec<EmbeddedMigrations>,
) -> Result<Vec<String>, DatabaseError>
where
    C: MigrationHarness<C::Backend> + Connection,
{
    let mut applied = Vec::new();
    for source in sources {
        let versions =
            conn.run_pending_migrations(source)
                .map_err(|error| DatabaseError::Migration {
                    backend,
                    reason: error.to_string(),
                })?;
        applied.extend(versions.into_iter().map(|version| version.to_string()));
    }
    Ok(applied)
}

/// Runs `f` with a pooled connection on Tokio's blocking pool, keeping the caller's span.
/// With a `queue`, waits for its turn there first, then checks the connection out.
/// A pool timeout (no connection, server down) is [`RepositoryError::Unavailable`].
pub(crate) async fn run<C, T, F>(
    pool: &Pool<Manager<C>>,
    queue: Option<&WriterQueue>,
    f: F,
) -> Result<T, RepositoryError>
where
    C: R2D2Connection + 'static,
    T: Send + 'static,
    F: FnOnce(&mut C) -> Result<T, Fail> + Send + 'static,
{
    let pool = pool.clone();
    let queue = queue.cloned();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let _turn = queue.as_ref().map(|queue| {
            queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let mut managed = pool
            .get()
            .map_err(|error| RepositoryError::Unavailable(error.to_string()))?;
        let result = f(&mut managed.conn).map_err(RepositoryError::from);
        if matches!(result, Err(RepositoryError::Unavailable(_))) {
            // The server went away (or the file stayed locked): do not hand this connection
            // out again; the pool opens a fresh one when the database is back.
            managed.broken = true;
        }
        result
    })
    .await
    .map_err(|error| RepositoryError::Internal(format!("database task failed: {error}")))?
}

/// Runs the same Diesel body on whichever backend the database uses: the body is expanded
/// once for `SqliteConnection` and once for `PgConnection`.
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:block) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite(pool) => {
                $crate::db::run(
                    pool,
                    None,
                    move |$conn: &mut ::diesel::sqlite::SqliteConnection| $body,
                )
                .await
            }
            $crate::db::Pools::Postgres(pool) => {
                $crate::db::run(pool, None, move |$conn: &mut ::diesel::pg::PgConnection| {
                    $body
                })
                .await
            }
        }
    };
}
pub(crate) use with_conn;

/// [`with_conn`] for bodies that run a [`WriteConn::write_transaction`]: on SQLite the call
/// first takes its turn in the database's writer queue ([`WriterQueue`]), and only then
/// checks a connection out. Every write transaction goes through here.
macro_rules! with_write_conn {
    ($db:expr, |$conn:ident| $body:block) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite(pool) => {
                $crate::db::run(
                    pool,
                    Some(&$db.writers),
                    move |$conn: &mut ::diesel::sqlite::SqliteConnection| $body,
                )
                .await
            }
            $crate::db::Pools::Postgres(pool) => {
                $crate::db::run(pool, None, move |$conn: &mut ::diesel::pg::PgConnection| {
                    $body
                })
                .await
            }
        }
    };
}
pub(crate) use with_write_conn;

/// What differs between the backends for writes that must be atomic.
pub(crate) trait WriteConn: Connection + Sized {
    /// A write transaction: SQLite `BEGIN IMMEDIATE` (takes the write lock before the first
    /// read, so check-then-insert cannot interleave), PostgreSQL `BEGIN`. Run it inside
    /// [`with_write_conn`], so SQLite writers of this process queue before they hold a
    /// connection.
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>;

    /// Serialises writers of one (student, submission) pair until the transaction ends.
    /// SQLite: nothing to do (the immediate transaction already holds the database write
    /// lock). PostgreSQL: `pg_advisory_xact_lock(user_id, submission_id)`.
    fn lock_pair(&mut self, user_id: i32, submission_id: i32) -> QueryResult<()>;

    /// The SQL text with `?` placeholders in the backend's own syntax.
    fn placeholders(sql: &'static str) -> std::borrow::Cow<'static, str>;
}

impl WriteConn for SqliteConnection {
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>,
    {
        // The caller took its turn in the database's writer queue before checking this
        // connection out (`with_write_conn!`).
        self.immediate_transaction(f)
    }

    fn lock_pair(&mut self, _user_id: i32, _submission_id: i32) -> QueryResult<()> {
        Ok(())
    }

    fn placeholders(sql: &'static str) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(sql)
    }
}

impl WriteConn for PgConnection {
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>,
    {
        self.transaction(f)
    }

    fn lock_pair(&mut self, user_id: i32, submission_id: i32) -> QueryResult<()> {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind::<Integer, _>(user_id)
            .bind::<Integer, _>(submission_id)
            .execute(self)
            .map(|_| ())
    }

    fn placeholders(sql: &'static str) -> std::borrow::Cow<'static, str> {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut index = 0;
        for ch in sql.chars() {
            if ch == '?' {
                index += 1;
                out.push('$');
                out.push_str(&index.to_string());
            } else {
                out.push(ch);
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

/// The SQL text with `?` placeholders rewritten for the connection's backend.
pub(crate) fn sql_for<C: WriteConn>(
    _conn: &C,
    sql: &'static str,
) -> std::borrow::Cow<'static, str> {
    C::placeholders(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("/tmp/a.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("a.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("data/a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("data/a.db")))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u:p@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_sqlite_writers_hold_no_connection_and_each_database_has_its_own_queue() {
        let dir = tempfile::tempdir().unwrap();
        let options = PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_millis(500),
        };
        let db = Database::connect(&DatabaseUrl::Sqlite(dir.path().join("a.db")), options).unwrap();
        let other =
            Database::connect(&DatabaseUrl::Sqlite(dir.path().join("b.db")), options).unwrap();
        db.migrate().await.unwrap();
        other.migrate().await.unwrap();

        // Someone holds this database's queue, as a long write transaction would.
        let queue = Arc::clone(&db.writers);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, is_held) = tokio::sync::oneshot::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _turn = queue.lock().unwrap();
            held.send(()).unwrap();
            released.recv().unwrap();
        });
        is_held.await.unwrap();

        // More writers than pooled connections queue up behind it...
        let writers: Vec<_> = (0..4)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.platform_writer()
                        .create_challenge(&format!("queued {n}"), "", &["a goal"])
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        // ...holding no connection: reads still get one at once.
        for _ in 0..3 {
            db.ping().await.unwrap();
        }
        // Another database's writers do not wait for this one's queue.
        tokio::time::timeout(
            Duration::from_secs(2),
            other
                .platform_writer()
                .create_challenge("elsewhere", "", &["a goal"]),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(writers.iter().all(|writer| !writer.is_finished()));

        release.send(()).unwrap();
        holder.join().unwrap();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
    }

    #[test]
    fn numbers_placeholders_for_postgres() {
        assert_eq!(
            PgConnection::placeholders("a = ? AND b = ? LIMIT ?"),
            "a = $1 AND b = $2 LIMIT $3"
        );
    }
}
