//! Running Diesel code from async code: one unit of database work on Tokio's blocking pool,
//! and the macros that expand one body for each backend this build has (cargo features
//! `sqlite` and `postgres`).

use std::time::Instant;

use diesel::r2d2::{Pool, R2D2Connection};
use sensei_core::RepositoryError;

use super::gate::PoolGate;
use super::manager::Manager;
use super::writer::WriterQueue;
use crate::error::Fail;

/// Runs `f` with a pooled connection off the async runtime, keeping the caller's span: on
/// Tokio's blocking pool once the `gate` lets it at the pool (waiting asynchronously), or with
/// a `queue`, on that database's writer thread
/// ([`WriterQueue::run`]: after the writes queued before it, waiting asynchronously and
/// bounded, holding neither a blocking thread nor a connection while it waits). A pool
/// timeout (no connection, server down), a write that cannot start in time, or a deleted
/// file is [`RepositoryError::Unavailable`]. The time spent getting the connection is
/// recorded (`sensei_db_pool_wait_seconds`, see `pool_metrics`).
pub(crate) async fn run<C, T, F>(
    pool: &Pool<Manager<C>>,
    gate: &PoolGate,
    queue: Option<&WriterQueue>,
    f: F,
) -> Result<T, RepositoryError>
where
    C: R2D2Connection + super::pool_metrics::Backend + 'static,
    T: Send + 'static,
    F: FnOnce(&mut C) -> Result<T, Fail> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let work = move || {
        let _entered = span.enter();
        with_pooled(&pool, f)
    };
    match queue {
        // The writer thread's connection is kept out of the gate (see `gate.rs`).
        Some(queue) => queue.run(work).await,
        None => {
            let turn = gate.enter().await?;
            tokio::task::spawn_blocking(move || {
                let _turn = turn;
                work()
            })
            .await
            .map_err(|error| RepositoryError::Internal(format!("database task failed: {error}")))?
        }
    }
}

/// Checks a connection out (bounded by the pool's timeout) and runs `f` with it.
fn with_pooled<C, T, F>(pool: &Pool<Manager<C>>, f: F) -> Result<T, RepositoryError>
where
    C: R2D2Connection + super::pool_metrics::Backend + 'static,
    F: FnOnce(&mut C) -> Result<T, Fail>,
{
    let asked = Instant::now();
    let checkout = pool.get();
    super::pool_metrics::record_wait(C::BACKEND, asked.elapsed(), checkout.is_ok());
    let mut managed = checkout.map_err(|error| RepositoryError::Unavailable(error.to_string()))?;
    let result = f(&mut managed.conn).map_err(RepositoryError::from);
    if matches!(result, Err(RepositoryError::Unavailable(_))) {
        // The server went away (or the file stayed locked): do not hand this connection
        // out again; the pool opens a fresh one when the database is back.
        managed.broken = true;
    }
    result
}

/// Runs the same Diesel body on whichever backend the database uses: the body is expanded
/// once for `SqliteConnection` and once for `PgConnection` (each arm only when its cargo
/// feature is on).
// Why a macro: the body must be compiled once per concrete connection type (each pool holds
// its own: `SqliteConnection`, `PgConnection`), and Rust has no generic closures, so a
// function cannot take "a body for any connection". Diesel's `MultiConnection` would give one
// type, but its `MultiBackend` needs every custom type (`SqlaTimestamp`) and hand-written
// statement (`db/cached.rs`, PostgreSQL's locks, `RETURNING`) re-done for it; the queries the
// bodies call are plain generic functions (`repo/sessions/query.rs`).
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:block) => {
        match &$db.pools {
            #[cfg(feature = "sqlite")]
            $crate::db::Pools::Sqlite(pool) => {
                $crate::db::run(
                    pool,
                    &$db.gate,
                    None,
                    move |$conn: &mut ::diesel::sqlite::SqliteConnection| $body,
                )
                .await
            }
            #[cfg(feature = "postgres")]
            $crate::db::Pools::Postgres(pool) => {
                $crate::db::run(
                    pool,
                    &$db.gate,
                    None,
                    move |$conn: &mut ::diesel::pg::PgConnection| $body,
                )
                .await
            }
        }
    };
}
pub(crate) use with_conn;

/// [`with_conn`] for bodies that run a [`WriteConn::write_transaction`]: on SQLite the body
/// runs on the database's writer thread ([`WriterQueue`]), after the writes queued before
/// it, and only then checks a connection out. Every write transaction goes through here.
///
/// [`WriteConn::write_transaction`]: super::WriteConn::write_transaction
// Why a macro: as `with_conn!`.
macro_rules! with_write_conn {
    ($db:expr, |$conn:ident| $body:block) => {
        match &$db.pools {
            #[cfg(feature = "sqlite")]
            $crate::db::Pools::Sqlite(pool) => {
                $crate::db::run(
                    pool,
                    &$db.gate,
                    Some(&$db.writers),
                    move |$conn: &mut ::diesel::sqlite::SqliteConnection| $body,
                )
                .await
            }
            #[cfg(feature = "postgres")]
            $crate::db::Pools::Postgres(pool) => {
                $crate::db::run(
                    pool,
                    &$db.gate,
                    None,
                    move |$conn: &mut ::diesel::pg::PgConnection| $body,
                )
                .await
            }
        }
    };
}
pub(crate) use with_write_conn;
