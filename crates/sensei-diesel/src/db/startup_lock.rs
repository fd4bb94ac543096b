//! Start-up work one process at a time: several `sensei serve` processes started at the same
//! moment on one database (a deploy, `--demo` on a fresh database) would otherwise run the
//! same migrations and insert the same demo accounts side by side, and all but one would fail
//! on a unique key. Whoever holds the lock does the work; the others wait, then find it done.
//!
//! * PostgreSQL: a session-level advisory lock on a connection of its own (not a pooled one,
//!   which the work itself may need), released when that connection closes.
//! * SQLite: an exclusive `flock` on a file beside the database (`PATH.startup-lock`), not on
//!   the database file itself: SQLite's own POSIX locks on a file are dropped when any other
//!   descriptor of it in the process is closed.
//!
//! The wait is bounded; the lock is released when the [`StartupLock`] is dropped, and by the
//! operating system or the server if the process dies.

use std::time::{Duration, Instant};

use super::{Database, Pools};
use crate::error::DatabaseError;

/// The advisory lock key of start-up work: "sensei" and 1, far from the per-user keys.
#[cfg(feature = "postgres")]
const POSTGRES_KEY: i64 = 0x7365_6e73_6569_0001;

/// How often a SQLite start-up lock that is held elsewhere is tried again.
#[cfg(feature = "sqlite")]
const RETRY_EVERY: Duration = Duration::from_millis(50);

/// Held while this process does its start-up work; dropping it lets the next process in.
#[must_use = "the lock is released when this is dropped"]
pub struct StartupLock {
    _held: Held,
}

impl std::fmt::Debug for StartupLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartupLock")
    }
}

enum Held {
    #[cfg(feature = "sqlite")]
    File(#[allow(dead_code)] std::fs::File),
    #[cfg(feature = "postgres")]
    Postgres(#[allow(dead_code)] diesel::pg::PgConnection),
}

impl Database {
    /// Waits (at most `wait`) until no other process does start-up work on this database,
    /// then holds it off until the returned lock is dropped. Run migrations and demo data
    /// under it.
    ///
    /// # Errors
    /// [`DatabaseError::StartupLock`] when the lock cannot be had within `wait`, or cannot be
    /// taken at all (the lock file cannot be created, the server cannot be reached).
    pub async fn startup_lock(&self, wait: Duration) -> Result<StartupLock, DatabaseError> {
        let backend = self.backend_name();
        let target = std::sync::Arc::clone(&self.target);
        let pools = self.pools.clone();
        tokio::task::spawn_blocking(move || match pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(_) => lock_file(&target, wait),
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => lock_postgres(&target, wait),
        })
        .await
        .map_err(|error| DatabaseError::Task(error.to_string()))?
        .map(|held| StartupLock { _held: held })
        .map_err(|reason| DatabaseError::StartupLock { backend, reason })
    }
}

#[cfg(feature = "sqlite")]
fn lock_file(database: &str, wait: Duration) -> Result<Held, String> {
    use std::fs::{File, OpenOptions, TryLockError};

    let path = format!("{database}.startup-lock");
    let file: File = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|error| format!("cannot open the lock file {path}: {error}"))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Held::File(file)),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(RETRY_EVERY);
            }
            Err(TryLockError::WouldBlock) => {
                return Err(format!(
                    "another process held {path} for more than {} s; is a migration still \
                     running? If no sensei process runs, the lock is stale only if the file \
                     system does not support locks",
                    wait.as_secs()
                ))
            }
            Err(TryLockError::Error(error)) => {
                return Err(format!("cannot lock {path}: {error}"));
            }
        }
    }
}

#[cfg(feature = "postgres")]
fn lock_postgres(url: &str, wait: Duration) -> Result<Held, String> {
    use diesel::sql_types::BigInt;
    use diesel::{Connection, RunQueryDsl};

    let started = Instant::now();
    let mut conn = diesel::pg::PgConnection::establish(url)
        .map_err(|error| format!("cannot connect: {error}"))?;
    let left = wait
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1));
    // lock_timeout bounds the wait for the advisory lock, as for any lock.
    diesel::sql_query(format!("SET lock_timeout = {}", left.as_millis()))
        .execute(&mut conn)
        .map_err(|error| error.to_string())?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(POSTGRES_KEY)
        .execute(&mut conn)
        .map_err(|error| {
            format!(
                "another process held the start-up lock for more than {} s ({error}); is a \
                 migration still running?",
                wait.as_secs()
            )
        })?;
    diesel::sql_query("SET lock_timeout = 0")
        .execute(&mut conn)
        .map_err(|error| error.to_string())?;
    Ok(Held::Postgres(conn))
}
