//! Writes: the SQLite writer queue and what differs between the backends for writes that
//! must be atomic.

use std::sync::Arc;
use std::time::Duration;

use sensei_core::RepositoryError;

#[cfg(feature = "postgres")]
use diesel::pg::PgConnection;
#[cfg(feature = "postgres")]
use diesel::sql_types::{BigInt, Integer};
#[cfg(feature = "sqlite")]
use diesel::sqlite::SqliteConnection;
#[cfg(feature = "postgres")]
use diesel::RunQueryDsl;
use diesel::{Connection, QueryResult};

use crate::error::Fail;

/// Queues one database's SQLite writers in this process (see [`with_write_conn`]). SQLite has
/// one writer at a time; without the queue, a writer that finds the lock taken waits in
/// SQLite's busy handler, which polls with sleeps of up to 100 ms (booking p99 near 100 ms
/// under load). Waiting here wakes the next writer as soon as the lock is free. A writer
/// takes its turn *before* it checks a connection out of the pool and before it takes a
/// blocking thread: queued writers hold neither, so reads, sign-ins and readiness keep
/// answering while writers wait. The wait in the queue is bounded by half the database
/// timeout; another process holding the lock is met at SQLite's busy timeout, the whole
/// timeout, so a write answers (or fails as unavailable) within one and a half timeouts.
///
/// [`with_write_conn`]: crate::db::with_write_conn
#[derive(Debug, Clone)]
pub(crate) struct WriterQueue {
    turn: Arc<tokio::sync::Mutex<()>>,
    wait: Duration,
    file: Option<SqliteFile>,
}

impl WriterQueue {
    /// A queue whose writers wait at most `wait` for their turn, writing to `file` (checked
    /// before and after each write when known).
    pub(crate) fn new(wait: Duration, file: Option<SqliteFile>) -> Self {
        Self {
            turn: Arc::new(tokio::sync::Mutex::new(())),
            wait,
            file,
        }
    }

    /// Waits (asynchronously, at most the database timeout) for this writer's turn.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the turn does not come in time, or the database
    /// file was deleted or replaced.
    pub(crate) async fn take_turn(&self) -> Result<WriterTurn, RepositoryError> {
        self.check_file()?;
        let guard = tokio::time::timeout(self.wait, Arc::clone(&self.turn).lock_owned())
            .await
            .map_err(|_| {
                RepositoryError::Unavailable(format!(
                    "the database stayed busy: no write could start within {} ms",
                    self.wait.as_millis()
                ))
            })?;
        Ok(WriterTurn {
            _guard: guard,
            file: self.file.clone(),
        })
    }

    /// Takes the turn from blocking code (bulk loads), waiting as long as it takes.
    #[cfg_attr(
        not(all(feature = "sqlite", any(feature = "fixtures", test))),
        allow(dead_code)
    )]
    pub(crate) fn blocking_turn(&self) -> WriterTurn {
        WriterTurn {
            _guard: Arc::clone(&self.turn).blocking_lock_owned(),
            file: self.file.clone(),
        }
    }

    /// Whether the file this database opened is still the one at its path.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when it was deleted or replaced.
    pub(crate) fn check_file(&self) -> Result<(), RepositoryError> {
        self.file.as_ref().map_or(Ok(()), SqliteFile::check)
    }
}

/// One writer's turn in the queue, held until its write is done.
pub(crate) struct WriterTurn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    file: Option<SqliteFile>,
}

impl WriterTurn {
    /// Whether the database file is still in place; checked after a write commits, so a
    /// write into a file that was deleted meanwhile is never confirmed.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the file was deleted or replaced.
    pub(crate) fn check_file(&self) -> Result<(), RepositoryError> {
        self.file.as_ref().map_or(Ok(()), SqliteFile::check)
    }
}

/// The SQLite file a database opened, by identity (device and inode), so that a file deleted
/// or replaced under the running service is noticed: SQLite itself keeps writing to the
/// open, unlinked file, and everything written there is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqliteFile {
    path: std::path::PathBuf,
    identity: (u64, u64),
}

impl SqliteFile {
    /// The file at `path` as it is now; `None` where identities are not available.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn open(path: &std::path::Path) -> Option<Self> {
        Some(Self {
            path: path.to_path_buf(),
            identity: file_identity(path)?,
        })
    }

    /// # Errors
    /// [`RepositoryError::Unavailable`] when the file at the path is gone or another one.
    pub(crate) fn check(&self) -> Result<(), RepositoryError> {
        if file_identity(&self.path) == Some(self.identity) {
            Ok(())
        } else {
            Err(RepositoryError::Unavailable(format!(
                "the database file {} was deleted or replaced while the service ran; restore \
                 it and restart the service",
                self.path.display()
            )))
        }
    }
}

#[cfg(unix)]
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .map(|metadata| (metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_identity(_path: &std::path::Path) -> Option<(u64, u64)> {
    None
}

/// Why writers on behalf of one user are serialised (see [`WriteConn::lock_user`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserLock {
    /// A student's bookings.
    Bookings,
    /// An instructor's claims.
    Claims,
}

impl UserLock {
    /// The advisory lock key: students' and instructors' keys never meet.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    fn key(self, user_id: i32) -> i64 {
        let range: i64 = match self {
            UserLock::Bookings => 1,
            UserLock::Claims => 2,
        };
        (range << 32) + i64::from(user_id)
    }
}

/// What differs between the backends for writes that must be atomic.
pub(crate) trait WriteConn: Connection + Sized {
    /// A write transaction: SQLite `BEGIN IMMEDIATE` (takes the write lock before the first
    /// read, so check-then-insert cannot interleave), PostgreSQL `BEGIN`. Run it inside
    /// [`with_write_conn`], so SQLite writers of this process queue before they hold a
    /// connection.
    ///
    /// [`with_write_conn`]: crate::db::with_write_conn
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>;

    /// Serialises writers on behalf of one user (a student's bookings: the dedup and the
    /// open-session limit; an instructor's claims: the live-claims limit) until the
    /// transaction ends. SQLite: nothing to do (the immediate transaction already holds the
    /// database write lock). PostgreSQL: `pg_advisory_xact_lock(key)`, with students' and
    /// instructors' keys in separate ranges.
    fn lock_user(&mut self, purpose: UserLock, user_id: i32) -> QueryResult<()>;

    /// Locks one scheduled session's row until the transaction ends, so that reading its
    /// state and writing the new one are one step. SQLite: nothing to do (one writer at a
    /// time). PostgreSQL: `SELECT ... FOR UPDATE`.
    fn lock_session_row(&mut self, id: i32) -> QueryResult<()>;

    /// The SQL text with `?` placeholders in the backend's own syntax.
    fn placeholders(sql: &'static str) -> std::borrow::Cow<'static, str>;
}

#[cfg(feature = "sqlite")]
impl WriteConn for SqliteConnection {
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>,
    {
        // The caller took its turn in the database's writer queue before checking this
        // connection out (`with_write_conn!`).
        self.immediate_transaction(f)
    }

    fn lock_user(&mut self, _purpose: UserLock, _user_id: i32) -> QueryResult<()> {
        Ok(())
    }

    fn lock_session_row(&mut self, _id: i32) -> QueryResult<()> {
        Ok(())
    }

    fn placeholders(sql: &'static str) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(sql)
    }
}

#[cfg(feature = "postgres")]
impl WriteConn for PgConnection {
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>,
    {
        self.transaction(f)
    }

    fn lock_user(&mut self, purpose: UserLock, user_id: i32) -> QueryResult<()> {
        super::cached(
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<BigInt, _>(purpose.key(user_id)),
        )
        .execute(self)
        .map(|_| ())
    }

    fn lock_session_row(&mut self, id: i32) -> QueryResult<()> {
        super::cached(
            diesel::sql_query("SELECT id FROM scheduled_sessions WHERE id = $1 FOR UPDATE")
                .bind::<Integer, _>(id),
        )
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

#[cfg(all(test, feature = "sqlite", feature = "postgres"))]
mod tests {
    use std::time::Duration;

    use diesel::prelude::*;

    use super::*;
    use crate::db::{with_write_conn, Database, DatabaseUrl, PoolOptions};
    use crate::schema::challenges;

    /// One write transaction through the writer queue.
    async fn add_challenge(
        db: &Database,
        name: String,
    ) -> Result<(), sensei_core::RepositoryError> {
        with_write_conn!(db, |conn| {
            conn.write_transaction(|conn| {
                diesel::insert_into(challenges::table)
                    .values((challenges::name.eq(&name), challenges::description.eq("")))
                    .execute(conn)?;
                Ok(())
            })
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_sqlite_writers_hold_no_connection_and_each_database_has_its_own_queue() {
        let dir = tempfile::tempdir().unwrap();
        let options = PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_secs(3),
        };
        let db = Database::connect(&DatabaseUrl::Sqlite(dir.path().join("a.db")), options).unwrap();
        let other =
            Database::connect(&DatabaseUrl::Sqlite(dir.path().join("b.db")), options).unwrap();
        db.migrate().await.unwrap();
        other.migrate().await.unwrap();

        // Someone holds this database's queue, as a long write transaction would.
        let queue = db.writers.clone();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, is_held) = tokio::sync::oneshot::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _turn = queue.blocking_turn();
            held.send(()).unwrap();
            released.recv().unwrap();
        });
        is_held.await.unwrap();

        // More writers than pooled connections queue up behind it...
        let writers: Vec<_> = (0..4)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { add_challenge(&db, format!("queued {n}")).await })
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
            add_challenge(&other, "elsewhere".to_owned()),
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_whose_turn_does_not_come_in_time_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let options = PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_millis(100),
        };
        let db = Database::connect(&DatabaseUrl::Sqlite(dir.path().join("a.db")), options).unwrap();
        db.migrate().await.unwrap();
        let _held = db.writers.take_turn().await.unwrap();
        let refused = add_challenge(&db, "late".to_owned()).await;
        assert!(
            matches!(refused, Err(sensei_core::RepositoryError::Unavailable(ref why)) if why.contains("50 ms")),
            "{refused:?}"
        );
        db.ping().await.unwrap();
    }
}
