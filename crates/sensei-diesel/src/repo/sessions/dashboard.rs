//! The dashboard's reads on one connection: the counter (open and completed, its rows summed
//! in one statement), the counts of the viewer's claims and of everyone's, and one page of
//! the queue. Used by the
//! session port's `dashboard` and by the signed-in reads, which run them after resolving the
//! sign-in on the same connection. A dashboard read recently is reused while nothing it
//! shows can have changed (`dashboard_cache.rs`): then the request costs only the counter's
//! statement.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sensei_core::ports::{Clock, DashboardRead, SystemClock};
use sensei_core::{ListOrder, PageRequest, SessionQuery};

use super::counter::CounterTotals;
use super::dashboard_cache::{DashboardCache, DashboardKey, KeptDashboard};
use super::query::like_pattern;
use super::rows::QueueRow;
use crate::timestamp::SqlaTimestamp;

/// The dashboard's queries with their bind values worked out, ready for [`read_dashboard!`].
pub(crate) struct DashboardReads {
    pub(crate) queue: SessionQuery,
    pub(crate) queue_pattern: Option<String>,
    pub(crate) queue_now: SqlaTimestamp,
    pub(crate) mine: SessionQuery,
    pub(crate) mine_pattern: Option<String>,
    pub(crate) mine_now: SqlaTimestamp,
    pub(crate) claimed: SessionQuery,
    pub(crate) claimed_pattern: Option<String>,
    pub(crate) claimed_now: SqlaTimestamp,
    pub(crate) size: u32,
    pub(crate) newest_first: bool,
    pub(crate) after: Option<(SqlaTimestamp, i32)>,
    /// The instant the viewer's claims are judged at.
    mine_at: DateTime<Utc>,
    /// What identifies this dashboard among the kept ones; `None`: it is never kept.
    key: Option<DashboardKey>,
    /// The database's kept dashboards.
    cache: Arc<DashboardCache>,
}

impl DashboardReads {
    /// The reads for this queue page and these "mine" and "claimed" counts, kept in
    /// `cache`.
    pub(crate) fn new(
        queue: SessionQuery,
        (mine, claimed): (SessionQuery, SessionQuery),
        page: PageRequest,
        cache: Arc<DashboardCache>,
    ) -> Self {
        let mine_at = mine.as_of.unwrap_or_else(|| SystemClock.now());
        Self {
            key: DashboardKey::of(&queue, &mine, &claimed, page),
            cache,
            mine_at,
            queue_pattern: queue.student_email_contains.as_deref().map(like_pattern),
            queue_now: SqlaTimestamp::from(queue.as_of.unwrap_or_else(|| SystemClock.now())),
            mine_pattern: mine.student_email_contains.as_deref().map(like_pattern),
            mine_now: SqlaTimestamp::from(mine_at),
            claimed_pattern: claimed.student_email_contains.as_deref().map(like_pattern),
            claimed_now: SqlaTimestamp::from(claimed.as_of.unwrap_or(mine_at)),
            size: page.size.get(),
            newest_first: queue.order == ListOrder::NewestFirst,
            after: page
                .after
                .map(|cursor| (SqlaTimestamp::from(cursor.scheduled_at), cursor.id.get())),
            queue,
            mine,
            claimed,
        }
    }

    /// The kept dashboard, with the counter's totals just read, if nothing it shows can have
    /// changed since it was read.
    pub(crate) fn kept(&self, counter: Option<CounterTotals>) -> Option<DashboardRead> {
        let (key, totals) = (self.key.as_ref()?, counter?);
        let kept = self.cache.get(key, totals.changes, self.mine_at)?;
        Some(answer(
            totals.pending,
            totals.completed,
            KeptDashboard::clone(&kept),
        ))
    }

    /// The port's answer from what was read (`mine` and `claimed`: each count with the
    /// earliest expiry of the claims it counted), kept for the next requests when it may be.
    pub(crate) fn finish(
        &self,
        counter: Option<CounterTotals>,
        (open, completed): (i64, i64),
        [mine, claimed]: [(i64, Option<SqlaTimestamp>); 2],
        rows: Vec<QueueRow>,
    ) -> DashboardRead {
        let kept = KeptDashboard {
            mine: u64::try_from(mine.0).unwrap_or(0),
            claimed: u64::try_from(claimed.0).unwrap_or(0),
            page: super::page_of(rows, self.size),
        };
        if let (Some(key), Some(totals)) = (&self.key, counter) {
            // Kept until the first of the two counts can drop with the clock.
            let until = [
                self.mine
                    .status
                    .count_valid_until(mine.1.map(|at| at.utc())),
                self.claimed
                    .status
                    .count_valid_until(claimed.1.map(|at| at.utc())),
            ]
            .into_iter()
            .flatten()
            .min();
            self.cache
                .put(key.clone(), totals.changes, until, Arc::new(kept.clone()));
        }
        answer(open, completed, kept)
    }
}

fn answer(open: i64, completed: i64, kept: KeptDashboard) -> DashboardRead {
    DashboardRead {
        open: u64::try_from(open).unwrap_or(0),
        completed: u64::try_from(completed).unwrap_or(0),
        mine: kept.mine,
        claimed: kept.claimed,
        page: kept.page,
    }
}

/// Runs a [`DashboardReads`] on `$conn` (inside a `with_conn!` body, whose `?` turns Diesel
/// errors into the crate's failures) and evaluates to the port's `DashboardRead`. A macro
/// because Diesel's query types differ per backend: each `with_conn!` arm gets its own copy.
macro_rules! read_dashboard {
    ($conn:ident, $reads:ident) => {
        $crate::repo::sessions::read_dashboard!(
            $conn,
            $reads,
            $crate::repo::sessions::counter::read_counter!($conn)
        )
    };
    // With the counter's totals already read (`Option<CounterTotals>`: the signed-in read
    // gets them with the sign-in, in one statement).
    ($conn:ident, $reads:ident, $counter:expr) => {{
        let reads = &$reads;
        let counter: Option<$crate::repo::sessions::counter::CounterTotals> = $counter;
        match reads.kept(counter) {
            Some(read) => read,
            None => $crate::repo::sessions::read_dashboard!(@read $conn, reads, counter),
        }
    }};
    // The dashboard read from the database.
    (@read $conn:ident, $reads:ident, $counter:ident) => {{
        use $crate::repo::sessions::query::{
            after_cursor, apply_filters, before_cursor, list_columns, list_source,
        };
        use $crate::schema::scheduled_sessions;
        let reads = $reads;
        let counts = match $counter {
            Some(totals) => (totals.pending, totals.completed),
            // No counter row (a database migrated by hand): count the table.
            None => {
                let open: i64 = scheduled_sessions::table
                    .filter(scheduled_sessions::session_completed_at.is_null())
                    .filter(scheduled_sessions::cancelled_at.is_null())
                    .count()
                    .get_result($conn)?;
                let completed: i64 = scheduled_sessions::table
                    .filter(scheduled_sessions::session_completed_at.is_not_null())
                    .count()
                    .get_result($conn)?;
                (open, completed)
            }
        };
        // The count, and the earliest expiry among the counted claims (when the count of live
        // claims will drop).
        let base = list_source!()
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::min(scheduled_sessions::claim_expires_at),
            ))
            .into_boxed();
        let mine: (i64, Option<$crate::timestamp::SqlaTimestamp>) =
            apply_filters!(base, reads.mine, reads.mine_pattern.clone(), reads.mine_now)
                .first($conn)?;
        let base = list_source!()
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::min(scheduled_sessions::claim_expires_at),
            ))
            .into_boxed();
        let claimed: (i64, Option<$crate::timestamp::SqlaTimestamp>) = apply_filters!(
            base,
            reads.claimed,
            reads.claimed_pattern.clone(),
            reads.claimed_now
        )
        .first($conn)?;
        let base = list_source!().select(list_columns!()).into_boxed();
        let mut q = apply_filters!(
            base,
            reads.queue,
            reads.queue_pattern.clone(),
            reads.queue_now
        );
        q = match (reads.after, reads.newest_first) {
            (Some((at, id)), false) => after_cursor!(q, at, id),
            (Some((at, id)), true) => before_cursor!(q, at, id),
            (None, _) => q,
        };
        q = if reads.newest_first {
            q.order((
                scheduled_sessions::scheduled_at.desc(),
                scheduled_sessions::id.desc(),
            ))
        } else {
            q.order((
                scheduled_sessions::scheduled_at.asc(),
                scheduled_sessions::id.asc(),
            ))
        };
        let rows = q.limit(i64::from(reads.size) + 1).load($conn)?;
        reads.finish($counter, counts, [mine, claimed], rows)
    }};
}
pub(crate) use read_dashboard;
