//! `scheduled_sessions` and their events: atomic create-unless-recent under the open-session
//! limit, compare-and-set transitions with their events, the instructors' queue and history.
//!
//! * `rows.rs`: the stored row and its conversions;
//! * `query.rs`: the list's joins, filters and keyset paging;
//! * `events.rs`: the audit trail's rows;
//! * `booking.rs`: create-unless-recent per backend (PostgreSQL: one function call);
//! * `counter.rs`: the counter of sessions by state (rows summed);
//! * `dashboard.rs`: the dashboard's reads, shared with the signed-in reads;
//! * `dashboard_cache.rs`: dashboards kept while nothing they show can have changed.

mod booking;
pub(crate) mod counter;
mod dashboard;
pub(crate) mod dashboard_cache;
pub(crate) mod events;
pub(crate) mod query;
pub(crate) mod rows;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{
    ClaimLimit, Clock, CreateOutcome, DashboardRead, ScheduledSessionRepository, SystemClock,
    TransitionOutcome,
};
use sensei_core::{
    ListOrder, NewScheduledSession, NewSessionEvent, Page, PageRequest, RepositoryError,
    ScheduledSession, ScheduledSessionId, SessionCursor, SessionEvent, SessionLifecycle,
    SessionListEntry, SessionQuery, StatusFilter, SubmissionId, UserId,
};

use crate::db::{with_conn, with_write_conn, Database, UserLock, WriteConn};
use crate::error::Fail;
use crate::schema::{scheduled_session_events, scheduled_sessions, users};
use crate::timestamp::SqlaTimestamp;
pub(crate) use dashboard::{read_dashboard, DashboardReads};
use events::{event, EventRow, NewEventRow};
use query::{like_pattern, list_columns, list_source, ListReads};
use rows::{entry, LifecycleColumns, QueueRow, ScheduledSessionRow};

/// The Diesel [`ScheduledSessionRepository`].
#[derive(Debug, Clone)]
pub struct DieselScheduledSessions {
    db: Database,
}

impl DieselScheduledSessions {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database it reads (for the other ports over the same tables).
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }
}

/// A page from the `size + 1` rows read: the extra row only says that a next page exists,
/// which starts after the page's last row.
pub(crate) fn page_of(rows: Vec<QueueRow>, size: u32) -> Page<SessionListEntry> {
    let size = size as usize;
    let mut items: Vec<SessionListEntry> = rows.into_iter().map(entry).collect();
    let more = items.len() > size;
    items.truncate(size);
    let next = if more {
        items.last().map(|last| SessionCursor {
            scheduled_at: last.session.scheduled_at,
            id: last.session.id,
        })
    } else {
        None
    };
    Page { items, next }
}

/// A count that fits the port's `u32`.
fn small(count: i64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[async_trait]
impl ScheduledSessionRepository for DieselScheduledSessions {
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
        max_open: u32,
    ) -> Result<CreateOutcome, RepositoryError> {
        let write = booking::BookingWrite::new(&new, window_start, max_open);
        match &self.db.pools {
            #[cfg(feature = "sqlite")]
            crate::db::Pools::Sqlite(pool) => {
                crate::db::run(pool, &self.db.gate, Some(&self.db.writers), move |conn| {
                    booking::book_sqlite(conn, write)
                })
                .await
            }
            #[cfg(feature = "postgres")]
            crate::db::Pools::Postgres(pool) => {
                crate::db::run(pool, &self.db.gate, None, move |conn| {
                    booking::book_postgres(conn, write)
                })
                .await
            }
        }
    }

    async fn transition(
        &self,
        id: ScheduledSessionId,
        expected: SessionLifecycle,
        next: SessionLifecycle,
        event: NewSessionEvent,
        claim_limit: Option<ClaimLimit>,
    ) -> Result<TransitionOutcome, RepositoryError> {
        let id = id.get();
        let columns = LifecycleColumns::from(&next);
        let event = NewEventRow::from(&event);
        let limit = claim_limit.map(|limit| {
            (
                limit.instructor.get(),
                limit.max,
                SqlaTimestamp::from(limit.now),
            )
        });
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                if let Some((instructor, max, now)) = limit {
                    // One instructor's claims in turn, so two claims at once cannot both
                    // pass the limit.
                    conn.lock_user(UserLock::Claims, instructor)?;
                    let live: i64 = scheduled_sessions::table
                        .filter(scheduled_sessions::claimed_by.eq(instructor))
                        .filter(scheduled_sessions::claim_expires_at.gt(now))
                        .filter(scheduled_sessions::session_completed_at.is_null())
                        .filter(scheduled_sessions::cancelled_at.is_null())
                        .filter(scheduled_sessions::id.ne(id))
                        .count()
                        .get_result(conn)?;
                    if small(live) >= max {
                        return Ok(TransitionOutcome::ClaimLimitReached { live: small(live) });
                    }
                }
                // Compare and set: the row is locked (PostgreSQL) or the database is
                // (SQLite's immediate transaction) from this read to the commit.
                conn.lock_session_row(id)?;
                let current = scheduled_sessions::table
                    .find(id)
                    .select(ScheduledSessionRow::as_select())
                    .first(conn)
                    .optional()?;
                let Some(current) = current else {
                    return Ok(TransitionOutcome::NotFound);
                };
                if ScheduledSession::from(current).lifecycle != expected {
                    return Ok(TransitionOutcome::Changed);
                }
                let updated: ScheduledSession = diesel::update(scheduled_sessions::table.find(id))
                    .set(&columns)
                    .returning(ScheduledSessionRow::as_returning())
                    .get_result(conn)?
                    .into();
                diesel::insert_into(scheduled_session_events::table)
                    .values(&event)
                    .execute(conn)?;
                Ok::<_, Fail>(TransitionOutcome::Applied(updated))
            })
        })
    }

    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError> {
        let id = id.get();
        with_conn!(self.db, |conn| {
            let row: Option<QueueRow> = list_source()
                .filter(scheduled_sessions::id.eq(id))
                .select(list_columns())
                .first(conn)
                .optional()?;
            Ok(row.map(entry))
        })
    }

    async fn latest_for(
        &self,
        user_id: UserId,
        submission_id: SubmissionId,
    ) -> Result<Option<ScheduledSession>, RepositoryError> {
        let (user, submission) = (user_id.get(), submission_id.get());
        with_conn!(self.db, |conn| {
            let row = scheduled_sessions::table
                .filter(scheduled_sessions::user_id.eq(user))
                .filter(scheduled_sessions::submission_id.eq(submission))
                .order((
                    scheduled_sessions::scheduled_at.desc(),
                    scheduled_sessions::id.desc(),
                ))
                .select(ScheduledSessionRow::as_select())
                .first(conn)
                .optional()?;
            Ok(row.map(ScheduledSession::from))
        })
    }

    async fn list(
        &self,
        query: &SessionQuery,
        page: PageRequest,
    ) -> Result<Page<SessionListEntry>, RepositoryError> {
        let filters = query.clone();
        let pattern = filters.student_email_contains.as_deref().map(like_pattern);
        let now = SqlaTimestamp::from(filters.as_of.unwrap_or_else(|| SystemClock.now()));
        let size = page.size.get();
        let newest_first = filters.order == ListOrder::NewestFirst;
        let after = page
            .after
            .map(|cursor| (SqlaTimestamp::from(cursor.scheduled_at), cursor.id.get()));
        let rows: Vec<QueueRow> = with_conn!(self.db, |conn| {
            Ok(conn.list_page(&filters, pattern, now, (after, newest_first, size))?)
        })?;
        Ok(page_of(rows, size))
    }

    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError> {
        let filters = query.clone();
        let pattern = filters.student_email_contains.as_deref().map(like_pattern);
        let now = SqlaTimestamp::from(filters.as_of.unwrap_or_else(|| SystemClock.now()));
        // States that do not depend on the time can be answered from the counter row.
        let from_counter = filters.is_status_only()
            && !matches!(
                filters.status,
                StatusFilter::Pending | StatusFilter::Claimed
            );
        let total: i64 = with_conn!(self.db, |conn| {
            if from_counter {
                // The trigger-maintained counter: a few rows, whatever the table's size.
                if let Some(counter::CounterTotals {
                    pending: open,
                    completed,
                    cancelled,
                    ..
                }) = counter::read_counter(conn)?
                {
                    return Ok(match filters.status {
                        StatusFilter::Completed => completed,
                        StatusFilter::Cancelled => cancelled,
                        StatusFilter::Closed => completed + cancelled,
                        StatusFilter::All => open + completed + cancelled,
                        _ => open,
                    });
                }
            }
            Ok(conn.list_count(&filters, pattern, now)?)
        })?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// One blocking trip on one connection: the counter row (open and completed in one
    /// statement), the counts of `mine` and `claimed` and the page; only the counter while a dashboard
    /// read earlier is still right.
    async fn dashboard(
        &self,
        queue: &SessionQuery,
        mine: &SessionQuery,
        claimed: &SessionQuery,
        page: PageRequest,
    ) -> Result<DashboardRead, RepositoryError> {
        let reads = DashboardReads::new(
            queue.clone(),
            (mine.clone(), claimed.clone()),
            page,
            self.db.dashboards.clone(),
        );
        with_conn!(self.db, |conn| { Ok(read_dashboard(conn, &reads, None)?) })
    }

    async fn events(
        &self,
        id: ScheduledSessionId,
        limit: u32,
    ) -> Result<Vec<SessionEvent>, RepositoryError> {
        let id = id.get();
        let rows: Vec<EventRow> = with_conn!(self.db, |conn| {
            Ok(scheduled_session_events::table
                .left_join(
                    users::table.on(users::id.nullable().eq(scheduled_session_events::actor_id)),
                )
                .filter(scheduled_session_events::session_id.eq(id))
                .order(scheduled_session_events::id.asc())
                .limit(i64::from(limit))
                .select((
                    scheduled_session_events::session_id,
                    scheduled_session_events::occurred_at,
                    scheduled_session_events::actor_id,
                    scheduled_session_events::kind,
                    scheduled_session_events::from_state,
                    scheduled_session_events::to_state,
                    scheduled_session_events::detail,
                    users::email.nullable(),
                ))
                .load(conn)?)
        })?;
        rows.into_iter().map(event).collect()
    }

    /// Checks that a SQLite file is still the one the service opened, then reads one id from
    /// the feature's table: the database answers and the schema is there (a bare `SELECT 1`
    /// would pass on an empty or wrong database). Any failure is unavailable here, since
    /// readiness is about serving, not about whose fault it is.
    async fn check_ready(&self) -> Result<(), RepositoryError> {
        self.db.writers.check_file()?;
        let probe: Result<Option<i32>, RepositoryError> = with_conn!(self.db, |conn| {
            Ok(scheduled_session_events::table
                .select(scheduled_session_events::id)
                .first(conn)
                .optional()?
                .or(scheduled_sessions::table
                    .select(scheduled_sessions::id)
                    .first(conn)
                    .optional()?))
        });
        match probe {
            Ok(_) => Ok(()),
            Err(RepositoryError::Unavailable(why))
            | Err(RepositoryError::Rejected(why))
            | Err(RepositoryError::Internal(why)) => Err(RepositoryError::Unavailable(why)),
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod plan;
