//! The SQLite writer of one database in this process: a dedicated thread that runs the write
//! units of work one after another.
//!
//! SQLite has one writer at a time. Without a queue, a writer that finds the lock taken waits
//! in SQLite's busy handler, which polls with sleeps of up to 100 ms (booking p99 near 100 ms
//! under load). A queue of callers taking turns (an async mutex, then a hand-over to the
//! blocking pool) removed the sleeps but put two thread wake-ups between one write and the
//! next: under a booking load the two cores sat idle 14 % of the time while the next writer
//! was being woken. Here the writes go to one thread that, while writes keep coming, goes from
//! one to the next without sleeping.
//!
//! A caller waits asynchronously, holding no blocking thread and no connection, for its write
//! to *start*. A queue of this process's own writes is contention, not an outage: while the
//! writer keeps finishing writes, the caller keeps waiting (up to ten times the queue's wait,
//! counted in `sensei_db_contention_total{queue="writer"}`). Only when no write has finished
//! for the whole wait (the database is locked elsewhere or stuck) is a write that has not
//! started abandoned (it will never run) and the caller gets [`RepositoryError::Unavailable`]. A write that has
//! started runs to its end (bounded by SQLite's busy timeout). Another process holding the
//! lock is met at that busy timeout, so a write answers (or fails as unavailable) within one
//! and a half database timeouts.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use sensei_core::RepositoryError;

use super::write::SqliteFile;

/// A write handed to the writer thread.
type Job = Box<dyn FnOnce() + Send>;

/// A queued write that may still start.
const PENDING: u8 = 0;
/// The writer thread started it: it runs to its end.
const RUNNING: u8 = 1;
/// Its caller stopped waiting before it started: it never runs.
const ABANDONED: u8 = 2;

/// One database's SQLite writer in this process (see the module documentation). Clones share
/// the thread; it ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct WriterQueue {
    /// Held by the writer thread for each write, and by bulk loads ([`Self::blocking_turn`])
    /// that write outside the thread.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// The writer thread's queue, started on the first write.
    jobs: Arc<OnceLock<Sender<Job>>>,
    wait: Duration,
    file: Option<SqliteFile>,
    progress: Progress,
}

/// Most waits of [`WriterQueue::wait`] a queued write goes through while the writer keeps
/// finishing the writes before it.
const MOST_WAITS: u32 = 10;

/// When the writer thread last finished a write, as milliseconds since the queue was made.
#[derive(Debug, Clone)]
struct Progress {
    since: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Progress {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Records that a write just finished.
    fn mark(&self) {
        self.last_ms.store(self.now_ms(), Ordering::Release);
    }

    /// Whether a write finished within the last `window`.
    fn moved_within(&self, window: Duration) -> bool {
        let window = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        self.now_ms()
            .saturating_sub(self.last_ms.load(Ordering::Acquire))
            <= window
    }
}

impl WriterQueue {
    /// A queue whose writes wait at most `wait` to start, writing to `file` (checked before
    /// and after each write when known).
    pub(crate) fn new(wait: Duration, file: Option<SqliteFile>) -> Self {
        Self {
            turn: Arc::new(tokio::sync::Mutex::new(())),
            jobs: Arc::new(OnceLock::new()),
            wait,
            file,
            progress: Progress::new(),
        }
    }

    /// Runs `work` on the writer thread: after the writes queued before it, once the database
    /// file is confirmed in place; after a successful write the file is checked again, so a
    /// write into a file deleted meanwhile is never confirmed.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the write could not start within the wait, or
    /// the database file was deleted or replaced; otherwise what `work` returns.
    pub(crate) async fn run<T, W>(&self, work: W) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        W: FnOnce() -> Result<T, RepositoryError> + Send + 'static,
    {
        self.check_file()?;
        let state = Arc::new(AtomicU8::new(PENDING));
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        let job_state = Arc::clone(&state);
        let file = self.file.clone();
        let progress = self.progress.clone();
        let job: Job = Box::new(move || {
            if job_state
                .compare_exchange(PENDING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                return; // abandoned: its caller has already answered
            }
            let checked =
                |file: &Option<SqliteFile>| file.as_ref().map_or(Ok(()), SqliteFile::check);
            let result = checked(&file)
                .and_then(|()| work())
                .and_then(|value| checked(&file).map(|()| value));
            // A write that met a locked or missing database is no progress for the writes
            // queued behind it.
            if !matches!(result, Err(RepositoryError::Unavailable(_))) {
                progress.mark();
            }
            let _ = reply.send(result);
        });
        self.sender()?
            .send(job)
            .map_err(|_| RepositoryError::Internal("the database writer thread stopped".into()))?;
        let stopped = || RepositoryError::Internal("the database writer thread stopped".into());
        let mut waits = 0;
        loop {
            match tokio::time::timeout(self.wait, &mut answer).await {
                Ok(result) => return result.map_err(|_| stopped())?,
                Err(_) => {
                    waits += 1;
                    // The writes before this one keep finishing: contention, keep waiting.
                    if waits < MOST_WAITS && self.progress.moved_within(self.wait) {
                        if waits == 1 {
                            super::pool_metrics::record_writer_backlog();
                        }
                        continue;
                    }
                    if state
                        .compare_exchange(PENDING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        return Err(RepositoryError::Unavailable(format!(
                            "the database stayed busy: no write could start within {} ms",
                            self.wait.as_millis() * u128::from(waits)
                        )));
                    }
                    // It started just now: it runs to its end; wait for it.
                    return answer.await.map_err(|_| stopped())?;
                }
            }
        }
    }

    /// The writer thread's queue, starting the thread on first use.
    fn sender(&self) -> Result<&Sender<Job>, RepositoryError> {
        if let Some(sender) = self.jobs.get() {
            return Ok(sender);
        }
        let (sender, jobs) = channel::<Job>();
        let turn = Arc::clone(&self.turn);
        // Only one caller's thread is kept: a racing caller's thread ends at once, its
        // sender being dropped with the value `set` refused.
        std::thread::Builder::new()
            .name("sensei-sqlite-writer".into())
            .spawn(move || {
                for job in jobs {
                    let _turn = turn.blocking_lock();
                    // A write that panics fails alone (its caller's answer is dropped: an
                    // internal error); the thread goes on with the next one.
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                        tracing::error!("a database write panicked; the writer goes on");
                    }
                }
            })
            .map_err(|error| {
                RepositoryError::Unavailable(format!(
                    "could not start the database writer thread: {error}"
                ))
            })?;
        let _ = self.jobs.set(sender);
        self.jobs
            .get()
            .ok_or_else(|| RepositoryError::Internal("the database writer was not set".into()))
    }

    /// Takes the turn from blocking code (bulk loads writing outside the writer thread),
    /// waiting as long as it takes; the writer thread starts nothing while it is held.
    #[cfg_attr(
        not(all(feature = "sqlite", any(feature = "fixtures", test))),
        allow(dead_code)
    )]
    pub(crate) fn blocking_turn(&self) -> WriterTurn {
        WriterTurn {
            _guard: Arc::clone(&self.turn).blocking_lock_owned(),
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

/// A bulk load's turn, held until its batch is written.
pub(crate) struct WriterTurn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use std::time::Duration;

    use diesel::prelude::*;

    use crate::db::{with_write_conn, Database, DatabaseUrl, PoolOptions, WriteConn};
    use crate::schema::challenges;

    /// One write transaction through the writer.
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

    /// A migrated SQLite database in `dir` (test set-up: a failure is the test's failure).
    #[allow(clippy::unwrap_used)]
    async fn migrated(dir: &tempfile::TempDir, file: &str, options: PoolOptions) -> Database {
        let db = Database::connect(&DatabaseUrl::Sqlite(dir.path().join(file)), options).unwrap();
        db.migrate().await.unwrap();
        db
    }

    async fn count_challenges(db: &Database) -> Result<i64, sensei_core::RepositoryError> {
        crate::db::with_conn!(db, |conn| {
            Ok::<i64, crate::error::Fail>(challenges::table.count().get_result(conn)?)
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_sqlite_writers_hold_no_connection_and_each_database_has_its_own_writer() {
        let dir = tempfile::tempdir().unwrap();
        let options = PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_secs(3),
        };
        let db = migrated(&dir, "a.db", options).await;
        let other = migrated(&dir, "b.db", options).await;

        // A bulk load holds this database's turn...
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
        // Another database's writes do not wait for this one's.
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_that_cannot_start_in_time_is_unavailable_and_never_runs() {
        let dir = tempfile::tempdir().unwrap();
        let options = PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_millis(100),
        };
        let db = migrated(&dir, "a.db", options).await;
        let before = count_challenges(&db).await.unwrap();
        let held = std::sync::Arc::clone(&db.writers.turn).lock_owned().await;
        let refused = add_challenge(&db, "late".to_owned()).await;
        assert!(
            matches!(refused, Err(sensei_core::RepositoryError::Unavailable(ref why)) if why.contains("50 ms")),
            "{refused:?}"
        );
        db.ping().await.unwrap();

        // Once the turn is free, the abandoned write is skipped, not run late: a caller told
        // "unavailable" must find nothing written.
        drop(held);
        add_challenge(&db, "next".to_owned()).await.unwrap();
        assert_eq!(count_challenges(&db).await.unwrap(), before + 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_that_panics_fails_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = migrated(&dir, "a.db", PoolOptions::default()).await;
        let failed = db
            .writers
            .run(|| -> Result<(), sensei_core::RepositoryError> { panic!("a bug in a write") })
            .await;
        assert!(
            matches!(failed, Err(sensei_core::RepositoryError::Internal(_))),
            "{failed:?}"
        );
        let before = count_challenges(&db).await.unwrap();
        add_challenge(&db, "after the panic".to_owned())
            .await
            .unwrap();
        assert_eq!(count_challenges(&db).await.unwrap(), before + 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_from_many_tasks_all_land_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = migrated(&dir, "a.db", PoolOptions::default()).await;
        let before = count_challenges(&db).await.unwrap();
        let writers: Vec<_> = (0..64)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { add_challenge(&db, format!("c{n}")).await })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        assert_eq!(count_challenges(&db).await.unwrap(), before + 64);
    }
}
