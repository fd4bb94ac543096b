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

use diesel::dsl;
use diesel::prelude::*;
use diesel::query_builder::SqlQuery;
use diesel::query_dsl::methods::LoadQuery;

use super::counter::{read_counter, CounterTotals};
use super::dashboard_cache::{DashboardCache, DashboardKey, KeptDashboard};
use super::query::{like_pattern, ListReads};
use super::rows::QueueRow;
use crate::db::Cached;
use crate::schema::scheduled_sessions;
use crate::timestamp::SqlaTimestamp;

/// The dashboard's queries with their bind values worked out, ready for [`read_dashboard`].
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

/// The dashboard's counts when the counter has no row (a database migrated by hand): open
/// sessions, counted from the table.
#[dsl::auto_type]
fn open_sessions() -> _ {
    scheduled_sessions::table
        .filter(scheduled_sessions::session_completed_at.is_null())
        .filter(scheduled_sessions::cancelled_at.is_null())
        .count()
}

/// Completed sessions, counted from the table (see [`open_sessions`]).
#[dsl::auto_type]
fn completed_sessions() -> _ {
    scheduled_sessions::table
        .filter(scheduled_sessions::session_completed_at.is_not_null())
        .count()
}

/// Runs a [`DashboardReads`] on `conn` and gives the port's `DashboardRead`. `counter`: the
/// counter's totals when the caller read them already (the signed-in read gets them with the
/// sign-in, in one statement), `None` to read them here. Generic over the connection: the
/// bounds say each statement runs on it (both backends' connections qualify).
pub(crate) fn read_dashboard<C>(
    conn: &mut C,
    reads: &DashboardReads,
    counter: Option<Option<CounterTotals>>,
) -> QueryResult<DashboardRead>
where
    C: Connection + ListReads,
    Cached<SqlQuery>: LoadQuery<'static, C, CounterTotals>,
    open_sessions: LoadQuery<'static, C, i64>,
    completed_sessions: LoadQuery<'static, C, i64>,
{
    let counter = match counter {
        Some(totals) => totals,
        None => read_counter(conn)?,
    };
    if let Some(read) = reads.kept(counter) {
        return Ok(read);
    }
    let counts = match counter {
        Some(totals) => (totals.pending, totals.completed),
        None => (
            open_sessions().get_result(conn)?,
            completed_sessions().get_result(conn)?,
        ),
    };
    let mine =
        conn.list_count_with_expiry(&reads.mine, reads.mine_pattern.clone(), reads.mine_now)?;
    let claimed = conn.list_count_with_expiry(
        &reads.claimed,
        reads.claimed_pattern.clone(),
        reads.claimed_now,
    )?;
    let rows = conn.list_page(
        &reads.queue,
        reads.queue_pattern.clone(),
        reads.queue_now,
        (reads.after, reads.newest_first, reads.size),
    )?;
    Ok(reads.finish(counter, counts, [mine, claimed], rows))
}
