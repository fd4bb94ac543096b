//! The audit trail as the live stream's feed: the [`EventFeed`] port. Each read is one
//! statement on the events' primary key, joined to the session (its student) and the
//! submission (its challenge).

use async_trait::async_trait;
use diesel::dsl::max;
use diesel::prelude::*;
use sensei_core::ports::EventFeed;
use sensei_core::{ChallengeId, FeedEvent, RepositoryError, UserId};

use super::sessions::events::{event, EventRow};
use crate::db::with_conn;
use crate::schema::{scheduled_session_events as events, scheduled_sessions, submissions};
use crate::timestamp::SqlaTimestamp;
use crate::Database;

/// The most events one read returns, whatever the caller asks (bounds memory per read).
pub const MAX_FEED_PAGE: u32 = 1000;

/// The events of a database, read for the live stream.
#[derive(Debug, Clone)]
pub struct DieselEventFeed {
    db: Database,
}

impl Database {
    /// The audit trail read as a feed (the live stream's [`EventFeed`]).
    pub fn event_feed(&self) -> DieselEventFeed {
        DieselEventFeed { db: self.clone() }
    }
}

/// An event's stored columns (without the actor's email, which the stream does not show).
type StoredEvent = (
    i32,
    SqlaTimestamp,
    Option<i32>,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// An event row with its session's student and challenge.
type FeedRow = (i32, StoredEvent, i32, i32);

/// The stored id bound to the column's type: ids above the column's range match nothing,
/// ids below it match everything.
fn column_id(after: i64) -> i32 {
    i32::try_from(after.max(i64::from(i32::MIN))).unwrap_or(i32::MAX)
}

fn feed_event((id, row, student, challenge): FeedRow) -> Result<FeedEvent, RepositoryError> {
    let (session, at, actor, kind, from, to, detail) = row;
    let row: EventRow = (session, at, actor, kind, from, to, detail, None);
    Ok(FeedEvent {
        id: i64::from(id),
        event: event(row)?,
        challenge_id: ChallengeId(challenge),
        student: UserId(student),
    })
}

#[async_trait]
impl EventFeed for DieselEventFeed {
    /// One statement: the events' primary-key range scan, each joined by primary key to its
    /// session and submission.
    async fn events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FeedEvent>, RepositoryError> {
        let after = column_id(after);
        let limit = i64::from(limit.clamp(1, MAX_FEED_PAGE));
        let rows: Vec<FeedRow> = with_conn!(self.db, |conn| {
            Ok(events::table
                .inner_join(scheduled_sessions::table.inner_join(submissions::table))
                .filter(events::id.gt(after))
                .order(events::id.asc())
                .limit(limit)
                .select((
                    events::id,
                    (
                        events::session_id,
                        events::occurred_at,
                        events::actor_id,
                        events::kind,
                        events::from_state,
                        events::to_state,
                        events::detail,
                    ),
                    scheduled_sessions::user_id,
                    submissions::challenge_id,
                ))
                .load(conn)?)
        })?;
        rows.into_iter().map(feed_event).collect()
    }

    /// One statement: the primary key's maximum.
    async fn latest_event_id(&self) -> Result<i64, RepositoryError> {
        let latest: Option<i32> = with_conn!(self.db, |conn| {
            Ok(events::table.select(max(events::id)).first(conn)?)
        })?;
        Ok(latest.map_or(0, i64::from))
    }
}

#[cfg(test)]
mod tests {
    use super::column_id;

    #[test]
    fn ids_outside_the_column_range_are_clamped() {
        assert_eq!(column_id(5), 5);
        assert_eq!(column_id(i64::MAX), i32::MAX);
        assert_eq!(column_id(i64::MIN), i32::MIN);
    }
}
