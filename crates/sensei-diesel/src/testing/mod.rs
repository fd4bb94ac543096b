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
//!
//! One job per file: this one makes the [`TestDatabase`]s; `postgres.rs` the PostgreSQL
//! databases and their migrated template; `store.rs` helpers that act on a test database.

mod postgres;
mod store;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::{Database, DatabaseError, DatabaseUrl, PoolOptions, StatementCounter};

pub use postgres::PostgresTestDatabase;
pub use store::{execute_on_pool, CompleteIfPending, CompleteOutcome};

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
