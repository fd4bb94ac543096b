//! Writes: the SQLite writer queue and what differs between the backends for writes that
//! must be atomic.

use std::sync::Arc;

use diesel::pg::PgConnection;
use diesel::sql_types::Integer;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::error::Fail;

/// Queues one database's SQLite writers in this process (see [`with_write_conn`]). SQLite has
/// one writer at a time; without the queue, a writer that finds the lock taken waits in
/// SQLite's busy handler, which polls with sleeps of up to 100 ms (booking p99 near 100 ms
/// under load). Waiting here wakes the next writer as soon as the lock is free. A writer
/// takes its turn *before* it checks a connection out of the pool, so queued writers hold no
/// connections and reads are not starved of them. Other processes still meet at the
/// database's lock, bounded by the busy timeout.
///
/// [`with_write_conn`]: crate::db::with_write_conn
pub(crate) type WriterQueue = Arc<std::sync::Mutex<()>>;

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
}
