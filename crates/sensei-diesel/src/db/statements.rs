//! The statement counter: how many SQL statements pooled connections start, and how many
//! they prepare into their statement caches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;

/// Counts the SQL statements every pooled connection starts (Diesel instrumentation); for
/// tests and benchmarks that assert a constant number of statements per page.
///
/// It also counts the statements put into a connection's prepared-statement cache: a hot path
/// whose statements are all cached adds no new entries when it runs again on the same
/// connection, and adds one entry per statement on its first run.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter {
    started: Arc<AtomicU64>,
    cached: Arc<AtomicU64>,
}

impl StatementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements started so far.
    pub fn get(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// Statements put into a connection's prepared-statement cache so far.
    pub fn cached(&self) -> u64 {
        self.cached.load(Ordering::SeqCst)
    }

    pub(super) fn install<C: Connection>(&self, conn: &mut C) {
        let (started, cached) = (Arc::clone(&self.started), Arc::clone(&self.cached));
        let instrumentation = move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { .. } => {
                started.fetch_add(1, Ordering::SeqCst);
            }
            InstrumentationEvent::CacheQuery { .. } => {
                cached.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        };
        conn.set_instrumentation(Box::new(instrumentation) as Box<dyn Instrumentation>);
    }
}
