//! Online backups of a SQLite database: `VACUUM INTO` a new file, a consistent copy taken
//! while the service keeps serving (readers and writers go on; the copy is one read
//! transaction's snapshot). PostgreSQL is backed up with its own tools (`pg_dump`).

use std::path::{Path, PathBuf};

#[cfg(feature = "sqlite")]
use super::backup_target as target_file;
use std::time::Duration;

use super::{Database, Pools};
use crate::error::DatabaseError;

/// What [`Database::backup_to`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The new file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The scheduled sessions it holds.
    pub scheduled_sessions: i64,
    /// How long the copy and its check took.
    pub elapsed: Duration,
}

/// The hint given for PostgreSQL, whose backups are the server's business.
pub const POSTGRES_BACKUP_HINT: &str = "sensei backup copies SQLite databases only; back up \
     PostgreSQL with its own tools, e.g. `pg_dump --format=custom --file=sensei.dump \"$DATABASE_URL\"` \
     (restore with pg_restore), or the server's continuous archiving (docs/operations.md)";

impl Database {
    /// Copies the SQLite database into a new file at `to` with `VACUUM INTO`, while the
    /// service may go on reading and writing: the copy is a consistent snapshot (every
    /// transaction committed before the copy started, none after), compacted. The copy is
    /// then opened and checked (`PRAGMA quick_check`) and its scheduled sessions counted.
    ///
    /// The file is created first, exclusively and readable by its owner only (it holds
    /// password hashes): whatever is at `to` already, a file or a symbolic link (dangling or
    /// not), is refused and never followed, so a backup cannot be redirected to overwrite or
    /// create a file elsewhere.
    ///
    /// # Errors
    /// [`DatabaseError::Backup`] when `to` already exists or is a symbolic link (nothing is
    /// overwritten or followed), its directory is missing, the copy or its check fails, or
    /// the database is PostgreSQL (see [`POSTGRES_BACKUP_HINT`]).
    pub async fn backup_to(&self, to: &Path) -> Result<BackupSummary, DatabaseError> {
        let target = to
            .to_str()
            .ok_or_else(|| DatabaseError::Backup(format!("{} is not a UTF-8 path", to.display())))?
            .to_owned();
        let to = to.to_path_buf();
        match &self.pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => {
                let pool = pool.clone();
                // File creation and the copy are blocking I/O: off the async runtime.
                tokio::task::spawn_blocking(move || {
                    let created = target_file::create(&to)?;
                    let copied = sqlite::backup(&pool, &target, to.clone());
                    target_file::confirm(&created, &to, copied)
                })
                .await
                .map_err(|error| DatabaseError::Task(error.to_string()))?
            }
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => {
                let _ = (target, to);
                Err(DatabaseError::Backup(POSTGRES_BACKUP_HINT.to_owned()))
            }
        }
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::time::Instant;

    use super::*;
    use diesel::r2d2::Pool;
    use diesel::sql_types::{BigInt, Text};
    use diesel::sqlite::SqliteConnection;
    use diesel::{Connection, RunQueryDsl};

    use crate::db::Manager;

    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        quick_check: String,
    }

    fn failed(what: &str, error: impl std::fmt::Display) -> DatabaseError {
        DatabaseError::Backup(format!("{what}: {error}"))
    }

    pub(super) fn backup(
        pool: &Pool<Manager<SqliteConnection>>,
        target: &str,
        to: PathBuf,
    ) -> Result<BackupSummary, DatabaseError> {
        let started = Instant::now();
        {
            let mut managed = pool
                .get()
                .map_err(|error| failed("no database connection", error))?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(target)
                .execute(&mut managed.conn)
                .map_err(|error| failed(&format!("copying into {target}"), error))?;
        }
        let mut copy = SqliteConnection::establish(target)
            .map_err(|error| failed(&format!("opening the copy {target}"), error))?;
        let checks: Vec<Check> = diesel::sql_query("PRAGMA quick_check")
            .load(&mut copy)
            .map_err(|error| failed("checking the copy", error))?;
        if checks.iter().any(|check| check.quick_check != "ok") {
            let found: Vec<String> = checks.into_iter().map(|check| check.quick_check).collect();
            return Err(DatabaseError::Backup(format!(
                "the copy {target} failed its check: {}",
                found.join("; ")
            )));
        }
        // The standalone schema has the table; a platform database may not yet.
        let scheduled_sessions = diesel::sql_query("SELECT COUNT(*) AS n FROM scheduled_sessions")
            .load::<Number>(&mut copy)
            .ok()
            .and_then(|rows| rows.first().map(|row| row.n))
            .unwrap_or(0);
        drop(copy);
        let bytes = std::fs::metadata(&to)
            .map_err(|error| failed(&format!("reading the size of {target}"), error))?
            .len();
        Ok(BackupSummary {
            path: to,
            bytes,
            scheduled_sessions,
            elapsed: started.elapsed(),
        })
    }
}
