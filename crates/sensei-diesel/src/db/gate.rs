//! The asynchronous queue in front of the connection pool. A request waits here, on the async
//! runtime and holding no thread, until a connection is free for it; only then does it take a
//! blocking thread and check a connection out, which is then immediate unless the database
//! itself cannot be reached. So the two waits mean different things and are bounded apart:
//!
//! * waiting for *our own* work to free a connection is contention, not an outage: it may last
//!   up to [`PoolGate::wait`] (five database timeouts) and is counted as such;
//! * failing to *open* a connection within the database timeout is an outage (503).
//!
//! On SQLite one connection is kept out of the gate for the writer thread, so reads queued
//! here can never take the connection that the next write needs.

use std::sync::Arc;
use std::time::Duration;

use sensei_core::RepositoryError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How much longer than the database timeout a request may queue behind this process's own
/// work before it gives up.
const QUEUE_WAIT_FACTOR: u32 = 5;

/// The pool's asynchronous queue (see the module documentation). Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct PoolGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// A place at the pool, held while a connection is used.
#[derive(Debug)]
pub(crate) struct PoolTurn {
    _permit: OwnedSemaphorePermit,
}

impl PoolGate {
    /// A gate letting `places` callers at the pool at once, each queueing at most five
    /// `database_timeout`s.
    pub(crate) fn new(places: u32, database_timeout: Duration) -> Self {
        let places = usize::try_from(places.max(1)).unwrap_or(1);
        Self {
            permits: Arc::new(Semaphore::new(places)),
            wait: database_timeout.saturating_mul(QUEUE_WAIT_FACTOR),
        }
    }

    /// How long a caller may queue.
    #[cfg(test)]
    pub(crate) fn wait(&self) -> Duration {
        self.wait
    }

    /// Waits asynchronously for a place at the pool.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when no place came free within [`Self::wait`]: every
    /// connection stayed busy that long, so the database is stuck (a lock held elsewhere),
    /// not merely busy.
    pub(crate) async fn enter(&self) -> Result<PoolTurn, RepositoryError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(PoolTurn { _permit: permit });
        }
        super::pool_metrics::record_queued();
        match tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(PoolTurn { _permit: permit }),
            Ok(Err(_closed)) => Err(RepositoryError::Internal(
                "the connection pool's queue was closed".to_owned(),
            )),
            Err(_elapsed) => Err(RepositoryError::Unavailable(format!(
                "every database connection stayed in use for {} ms; the database may be \
                 locked by another process",
                self.wait.as_millis()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn callers_queue_for_a_place_and_give_up_only_after_the_wait() {
        let gate = PoolGate::new(1, Duration::from_millis(20));
        assert_eq!(gate.wait(), Duration::from_millis(100));
        let first = gate.enter().await.unwrap();
        let started = std::time::Instant::now();
        let refused = gate.enter().await.unwrap_err();
        assert!(matches!(refused, RepositoryError::Unavailable(_)));
        assert!(started.elapsed() >= Duration::from_millis(100));
        let queued = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await.map(drop) }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        drop(first);
        assert!(
            queued.await.unwrap().is_ok(),
            "a freed place goes to the queue"
        );
    }
}
