//! PostgreSQL test databases: copies of a migrated template, dropped with their handle.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use diesel::migration::MigrationSource;
use diesel::pg::{Pg, PgConnection};
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::MigrationHarness;

use super::{postgres_admin_url, with_database, TestDatabaseError};
use crate::{migrations, DatabaseError};

/// A PostgreSQL database created for one test and dropped (`WITH (FORCE)`, best effort) when
/// this is dropped. Blocking: call it from `spawn_blocking` in async tests, or use
/// [`TestDatabase::postgres`](super::TestDatabase::postgres).
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
    /// A migrated database (a copy of the template); `None` when
    /// [`POSTGRES_URL_ENV`](super::POSTGRES_URL_ENV) is unset (see [`postgres_admin_url`]).
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

    /// An empty database (no tables); `None` when
    /// [`POSTGRES_URL_ENV`](super::POSTGRES_URL_ENV) is unset.
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
