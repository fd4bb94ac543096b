//! Test databases for integration tests (feature `testing`): one migrated database per test,
//! on SQLite (a temporary file) or PostgreSQL (cloned from a migrated template).
//!
//! The one place the workspace makes "a database for this test". Enable it for a crate's
//! tests with a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! sensei-diesel = { workspace = true, features = ["testing"] }
//! ```
//!
//! ```no_run
//! # async fn demo() -> Result<(), sensei_diesel::testing::TestDatabaseError> {
//! use sensei_diesel::testing::TestDatabase;
//!
//! // Always available: a migrated SQLite file in a temporary directory.
//! let sqlite = TestDatabase::sqlite().await?;
//! sqlite.database().ping().await.ok();
//!
//! // PostgreSQL when SENSEI_TEST_POSTGRES_URL is set; `None` (after a loud SKIPPED line on
//! // stderr) when it is not, so the test passes without running.
//! let Some(pg) = TestDatabase::postgres().await? else {
//!     return Ok(());
//! };
//! let url = pg.url().to_string(); // for a server or a child process under test
//! # let _ = url;
//! # Ok(())
//! # }
//! ```
//!
//! **PostgreSQL.** [`POSTGRES_URL_ENV`] names a server and a database to connect to for
//! administration (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); the user must be
//! allowed to create databases. The first test of a process makes sure the template
//! `sensei_test_template_<hash of the migrations>` exists, migrated with both migration sets
//! (built under `pg_advisory_lock`, so test binaries running side by side build it once; a
//! changed migration gives a new name). Each test then gets `CREATE DATABASE … TEMPLATE …`,
//! a copy that takes milliseconds, dropped (`WITH (FORCE)`) when its handle is dropped.
//! Tests therefore run in parallel, each on its own database. Templates of older migrations
//! are left on the server (another checkout may still use them); drop them by hand.
//!
//! **SQLite.** A file in a temporary directory, removed with the handle.
//!
//! Failures to set a database up are [`TestDatabaseError`]s: `expect` them in the test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use diesel::migration::MigrationSource;
use diesel::pg::{Pg, PgConnection};
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::MigrationHarness;

use crate::{migrations, Database, DatabaseError, DatabaseUrl, PoolOptions, StatementCounter};

/// The environment variable with the PostgreSQL server for tests (an administration URL,
/// e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
pub const POSTGRES_URL_ENV: &str = "SENSEI_TEST_POSTGRES_URL";

/// The pool settings of test databases: 20 connections (tests run many tasks at once) and a
/// patient 10 s timeout (test binaries share the machine and the server).
pub fn pool_options() -> PoolOptions {
    PoolOptions {
        max_connections: 20,
        connection_timeout: Duration::from_secs(10),
    }
}

/// Why a test database could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TestDatabaseError {
    /// The PostgreSQL server named by [`POSTGRES_URL_ENV`] refused or failed a statement.
    #[error("test PostgreSQL ({POSTGRES_URL_ENV}): {0}")]
    Postgres(String),
    /// Connecting or migrating failed.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The temporary directory could not be made.
    #[error("temporary directory: {0}")]
    Io(#[from] std::io::Error),
    /// The blocking set-up task failed.
    #[error("test database task failed: {0}")]
    Task(String),
}

/// A database for one test, with a pool on it; removed when dropped.
pub struct TestDatabase {
    database: Database,
    url: DatabaseUrl,
    counter: StatementCounter,
    _storage: Storage,
}

/// What keeps the database alive until the handle is dropped.
enum Storage {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { _database: PostgresTestDatabase },
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("url", &self.url.to_string())
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// A migrated SQLite file in a new temporary directory.
    ///
    /// # Errors
    /// When the directory cannot be made or the file opened or migrated.
    pub async fn sqlite() -> Result<TestDatabase, TestDatabaseError> {
        let test = Self::sqlite_unmigrated().await?;
        test.database.migrate().await?;
        Ok(test)
    }

    /// An empty SQLite file (no tables) in a new temporary directory, for tests of
    /// migrations or of adopting a platform's tables.
    ///
    /// # Errors
    /// When the directory cannot be made or the file opened.
    pub async fn sqlite_unmigrated() -> Result<TestDatabase, TestDatabaseError> {
        let dir = tempfile::tempdir()?;
        let url = DatabaseUrl::Sqlite(dir.path().join("sensei.db"));
        Self::open(url, Storage::Sqlite { _dir: dir })
    }

    /// A migrated PostgreSQL database of its own (a copy of the template), or `None` after a
    /// `SKIPPED` line on stderr when [`POSTGRES_URL_ENV`] is unset.
    ///
    /// # Errors
    /// When the variable is set but the server cannot be reached or refuses to create the
    /// database (a configured server that fails is a failure, not a skip).
    pub async fn postgres() -> Result<Option<TestDatabase>, TestDatabaseError> {
        Self::postgres_with(true).await
    }

    /// Like [`TestDatabase::postgres`], but an empty database (no tables).
    ///
    /// # Errors
    /// As [`TestDatabase::postgres`].
    pub async fn postgres_unmigrated() -> Result<Option<TestDatabase>, TestDatabaseError> {
        Self::postgres_with(false).await
    }

    async fn postgres_with(migrated: bool) -> Result<Option<TestDatabase>, TestDatabaseError> {
        let created = tokio::task::spawn_blocking(move || {
            if migrated {
                PostgresTestDatabase::create()
            } else {
                PostgresTestDatabase::create_unmigrated()
            }
        })
        .await
        .map_err(|error| TestDatabaseError::Task(error.to_string()))??;
        let Some(pg) = created else {
            return Ok(None);
        };
        let url = DatabaseUrl::Postgres(pg.url().to_owned());
        Self::open(url, Storage::Postgres { _database: pg }).map(Some)
    }

    fn open(url: DatabaseUrl, storage: Storage) -> Result<TestDatabase, TestDatabaseError> {
        let counter = StatementCounter::new();
        let database =
            Database::connect_counting_statements(&url, pool_options(), counter.clone())?;
        Ok(TestDatabase {
            database,
            url,
            counter,
            _storage: storage,
        })
    }

    /// The pooled database ([`pool_options`]); clone it freely.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Where the database is: give it to a server or a child process under test
    /// (`to_string()` gives a URL [`DatabaseUrl::parse`] reads back).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Counts the statements the pool of [`TestDatabase::database`] starts.
    pub fn counter(&self) -> &StatementCounter {
        &self.counter
    }

    /// The SQLite file, on SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => Some(path),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// Another pool on the same database, with other settings.
    ///
    /// # Errors
    /// As [`Database::connect`].
    pub fn connect(&self, options: PoolOptions) -> Result<Database, DatabaseError> {
        Database::connect(&self.url, options)
    }
}

/// The administration URL from [`POSTGRES_URL_ENV`]; `None` after a loud `SKIPPED` line on
/// stderr when it is unset or empty. For tests that need the server itself (a second
/// process, an outage) rather than a [`TestDatabase`].
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            skipped(&format!(
                "PostgreSQL tests — set {POSTGRES_URL_ENV} (e.g. \
                 postgres://postgres@127.0.0.1:5432/postgres) to run them"
            ));
            None
        }
    }
}

/// Prints `*** SKIPPED: {what} ***` to the process's stderr, past the test harness's output
/// capture (`eprintln!` output is captured and shown only for failing tests).
pub fn skipped(what: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {what} ***\n");
}

/// A PostgreSQL URL with its database name replaced (query parameters kept).
///
/// ```
/// use sensei_diesel::testing::with_database;
/// assert_eq!(
///     with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
///     "postgres://u:p@h:5432/t1?sslmode=disable"
/// );
/// assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
/// ```
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..authority_end], name);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A PostgreSQL database created for one test and dropped (`WITH (FORCE)`, best effort) when
/// this is dropped. Blocking: call it from `spawn_blocking` in async tests, or use
/// [`TestDatabase::postgres`].
#[derive(Debug)]
pub struct PostgresTestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

static NEXT_DATABASE: AtomicU64 = AtomicU64::new(0);

/// The migrated template's name, once this process has made sure it exists.
static TEMPLATE: Mutex<Option<String>> = Mutex::new(None);

impl PostgresTestDatabase {
    /// A migrated database (a copy of the template); `None` when [`POSTGRES_URL_ENV`] is
    /// unset (see [`postgres_admin_url`]).
    ///
    /// # Errors
    /// When the server cannot be reached, the template cannot be built or the copy made.
    pub fn create() -> Result<Option<PostgresTestDatabase>, TestDatabaseError> {
        let Some(admin_url) = postgres_admin_url() else {
            return Ok(None);
        };
        let template = template(&admin_url)?;
        Self::create_from(admin_url, Some(&template)).map(Some)
    }

    /// An empty database (no tables); `None` when [`POSTGRES_URL_ENV`] is unset.
    ///
    /// # Errors
    /// When the server cannot be reached or the database made.
    pub fn create_unmigrated() -> Result<Option<PostgresTestDatabase>, TestDatabaseError> {
        let Some(admin_url) = postgres_admin_url() else {
            return Ok(None);
        };
        Self::create_from(admin_url, None).map(Some)
    }

    fn create_from(
        admin_url: String,
        template: Option<&str>,
    ) -> Result<PostgresTestDatabase, TestDatabaseError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "sensei_test_{}_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::SeqCst),
            nanos
        );
        let mut admin = admin_connection(&admin_url)?;
        let sql = match template {
            Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        execute(&mut admin, &sql)?;
        let url = with_database(&admin_url, &name);
        Ok(PostgresTestDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PostgresTestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = execute(
                &mut admin,
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            );
        }
    }
}

fn admin_connection(admin_url: &str) -> Result<PgConnection, TestDatabaseError> {
    PgConnection::establish(admin_url).map_err(|error| {
        TestDatabaseError::Postgres(format!(
            "cannot connect to {}: {error}",
            crate::error::redact(admin_url)
        ))
    })
}

fn execute(conn: &mut PgConnection, sql: &str) -> Result<(), TestDatabaseError> {
    diesel::sql_query(sql)
        .execute(conn)
        .map(|_| ())
        .map_err(|error| TestDatabaseError::Postgres(format!("{sql}: {error}")))
}

/// The migrated template's name, built first when it does not exist yet (once per process;
/// across processes under an advisory lock).
fn template(admin_url: &str) -> Result<String, TestDatabaseError> {
    let mut known = TEMPLATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(name) = known.as_ref() {
        return Ok(name.clone());
    }
    let name = format!("sensei_test_template_{:016x}", migrations_hash());
    let mut admin = admin_connection(admin_url)?;
    // Any fixed key: it only has to be the same in every test process.
    execute(&mut admin, "SELECT pg_advisory_lock(7365676)")?;
    let built = build_template(&mut admin, admin_url, &name);
    let unlocked = execute(&mut admin, "SELECT pg_advisory_unlock(7365676)");
    built?;
    unlocked?;
    *known = Some(name.clone());
    Ok(name)
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Under the advisory lock: builds `name` unless it exists. The migrations run on a
/// `_wip` database renamed at the end, so a run killed half-way leaves no half-migrated
/// template behind (the next run drops the leftover).
fn build_template(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
) -> Result<(), TestDatabaseError> {
    let exists: Vec<Count> =
        diesel::sql_query("SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(name)
            .load(admin)
            .map_err(|error| TestDatabaseError::Postgres(error.to_string()))?;
    if exists.first().is_some_and(|count| count.n > 0) {
        return Ok(());
    }
    let wip = format!("{name}_wip");
    execute(
        admin,
        &format!("DROP DATABASE IF EXISTS \"{wip}\" WITH (FORCE)"),
    )?;
    execute(admin, &format!("CREATE DATABASE \"{wip}\""))?;
    {
        let mut conn = admin_connection(&with_database(admin_url, &wip))?;
        for source in [migrations::POSTGRES_PLATFORM, migrations::POSTGRES_FEATURE] {
            conn.run_pending_migrations(source).map_err(|error| {
                TestDatabaseError::Database(DatabaseError::Migration {
                    backend: "postgres",
                    reason: error.to_string(),
                })
            })?;
        }
    } // Disconnected: nobody may be connected to a template while it is copied.
    execute(
        admin,
        &format!("ALTER DATABASE \"{wip}\" RENAME TO \"{name}\""),
    )
}

/// FNV-1a over the PostgreSQL migrations: their names (embedded) and, when the source tree
/// is there (it is, for tests), the files of `migrations/postgres`. Stable across builds
/// and toolchains, so every test process agrees on the template's name.
fn migrations_hash() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for source in [migrations::POSTGRES_PLATFORM, migrations::POSTGRES_FEATURE] {
        if let Ok(list) = MigrationSource::<Pg>::migrations(&source) {
            for migration in list {
                feed(migration.name().to_string().as_bytes());
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut files = Vec::new();
    collect_files(&root, &mut files);
    files.sort();
    for file in files {
        feed(file.to_string_lossy().as_bytes());
        if let Ok(bytes) = std::fs::read(root.join(&file)) {
            feed(&bytes);
        }
    }
    hash
}

/// Every file under `dir`, relative to `root` = the first `dir`.
fn collect_files(root: &Path, out: &mut Vec<PathBuf>) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_path_buf());
            }
        }
    }
}

/// Runs one SQL statement on a connection of `database`'s own pool (for per-connection
/// settings such as SQLite's `PRAGMA max_page_count`; give the database a one-connection pool
/// so that the statement and the next call share the connection).
///
/// # Errors
/// The statement's failure, mapped as every call's.
pub async fn execute_on_pool(
    database: &Database,
    sql: &str,
) -> Result<(), sensei_core::RepositoryError> {
    use diesel::connection::SimpleConnection;
    let sql = sql.to_owned();
    crate::db::with_conn!(database, |conn| {
        conn.batch_execute(&sql)?;
        Ok(())
    })
}

/// What [`CompleteIfPending::complete_if_pending`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompleteOutcome {
    /// The session was pending and is now completed.
    Completed(sensei_core::ScheduledSession),
    /// It was not pending (any more); as it is now.
    AlreadyCompleted(sensei_core::ScheduledSession),
    /// No such session.
    NotFound,
}

/// The seed's completion ("complete it if it is still pending, first one wins") as one
/// compare-and-set through [`sensei_core::ports::ScheduledSessionRepository::transition`],
/// for adapter tests that exercise the store without the service's rules.
#[async_trait::async_trait]
pub trait CompleteIfPending {
    /// Completes session `id` with `completion` if its stored lifecycle is pending.
    ///
    /// # Errors
    /// The store's failures.
    async fn complete_if_pending(
        &self,
        id: sensei_core::ScheduledSessionId,
        completion: sensei_core::Completion,
    ) -> Result<CompleteOutcome, sensei_core::RepositoryError>;
}

#[async_trait::async_trait]
impl CompleteIfPending for std::sync::Arc<dyn sensei_core::ports::ScheduledSessionRepository> {
    async fn complete_if_pending(
        &self,
        id: sensei_core::ScheduledSessionId,
        completion: sensei_core::Completion,
    ) -> Result<CompleteOutcome, sensei_core::RepositoryError> {
        use sensei_core::ports::TransitionOutcome;
        use sensei_core::{EventKind, NewSessionEvent, SessionLifecycle, SessionState};
        let event = NewSessionEvent {
            session_id: id,
            occurred_at: completion.completed_at,
            actor: completion.completed_by,
            kind: EventKind::Completed,
            from_state: Some(SessionState::Pending),
            to_state: SessionState::Completed,
            detail: None,
        };
        let outcome = self
            .transition(
                id,
                SessionLifecycle::Pending,
                SessionLifecycle::Completed(completion),
                event,
                None,
            )
            .await?;
        Ok(match outcome {
            TransitionOutcome::Applied(session) => CompleteOutcome::Completed(session),
            TransitionOutcome::NotFound => CompleteOutcome::NotFound,
            TransitionOutcome::Changed | TransitionOutcome::ClaimLimitReached { .. } => {
                match self.get(id).await? {
                    Some(entry) => CompleteOutcome::AlreadyCompleted(entry.session),
                    None => CompleteOutcome::NotFound,
                }
            }
        })
    }
}
