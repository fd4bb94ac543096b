//! Writes: what differs between the backends for writes that must be atomic, and the SQLite
//! file's identity (the writer itself is in `writer.rs`).

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
    /// A student's bookings (taken by PostgreSQL's `sensei_book_session`).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Bookings,
    /// An instructor's claims.
    Claims,
    /// Changes that could leave no enabled admin (a role change, a disabling, an erasure):
    /// one lock for all accounts, so the last-admin count read inside is still true at
    /// commit (the key's user id is 0).
    Accounts,
}

impl UserLock {
    /// The advisory lock key: students' and instructors' keys never meet (range 3 is the
    /// webhook lease's, `repo/webhook_lease.rs`; range 4 the accounts' one lock).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn key(self, user_id: i32) -> i64 {
        let range: i64 = match self {
            UserLock::Bookings => 1,
            UserLock::Claims => 2,
            UserLock::Accounts => 4,
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
    fn placeholders(sql: &str) -> std::borrow::Cow<'_, str>;
}

#[cfg(feature = "sqlite")]
impl WriteConn for SqliteConnection {
    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, Fail>
    where
        F: FnOnce(&mut Self) -> Result<T, Fail>,
    {
        // The caller runs on the database's writer thread (`with_write_conn!`), one write
        // of this process at a time.
        self.immediate_transaction(f)
    }

    fn lock_user(&mut self, _purpose: UserLock, _user_id: i32) -> QueryResult<()> {
        Ok(())
    }

    fn lock_session_row(&mut self, _id: i32) -> QueryResult<()> {
        Ok(())
    }

    fn placeholders(sql: &str) -> std::borrow::Cow<'_, str> {
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

    fn placeholders(sql: &str) -> std::borrow::Cow<'_, str> {
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

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres() {
        assert_eq!(
            PgConnection::placeholders("a = ? AND b = ? LIMIT ?"),
            "a = $1 AND b = $2 LIMIT $3"
        );
    }
}
