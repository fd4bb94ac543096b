//! The statement counter: how many SQL statements pooled connections start.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;

/// Counts the SQL statements every pooled connection starts (Diesel instrumentation); for
/// tests and benchmarks that assert a constant number of statements per page.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements started so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    pub(super) fn install<C: Connection>(&self, conn: &mut C) {
        let count = Arc::clone(&self.0);
        let instrumentation = move |event: InstrumentationEvent<'_>| {
            if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                count.fetch_add(1, Ordering::SeqCst);
            }
        };
        conn.set_instrumentation(Box::new(instrumentation) as Box<dyn Instrumentation>);
    }
}
