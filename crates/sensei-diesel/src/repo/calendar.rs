//! Instructors' calendar feeds (the `calendar_feeds` table): the [`CalendarFeedRepository`]
//! port. Only the digest of each feed's secret is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use sensei_core::ports::CalendarFeedRepository;
use sensei_core::{Actor, FeedTokenHash, RepositoryError, Role, UserId};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::schema::{calendar_feeds, users};
use crate::timestamp::SqlaTimestamp;

/// The calendar feeds of a database.
#[derive(Debug, Clone)]
pub struct DieselCalendarFeeds {
    db: Database,
}

impl DieselCalendarFeeds {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl CalendarFeedRepository for DieselCalendarFeeds {
    /// One upsert keyed by the instructor, in a write transaction: the row holds one digest,
    /// so the old one stops resolving at the commit that makes the new one resolve.
    async fn replace(
        &self,
        instructor: UserId,
        hash: FeedTokenHash,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let instructor = instructor.get();
        let hash = hash.as_str().to_owned();
        let now = SqlaTimestamp::from(now);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::insert_into(calendar_feeds::table)
                    .values((
                        calendar_feeds::instructor_id.eq(instructor),
                        calendar_feeds::token_hash.eq(&hash),
                        calendar_feeds::created_at.eq(now),
                    ))
                    .on_conflict(calendar_feeds::instructor_id)
                    .do_update()
                    .set((
                        calendar_feeds::token_hash.eq(excluded(calendar_feeds::token_hash)),
                        calendar_feeds::created_at.eq(excluded(calendar_feeds::created_at)),
                    ))
                    .execute(conn)?;
                Ok(())
            })
        })
    }

    /// One indexed lookup joined to the owner's row, so the role is the one they have now.
    async fn owner_of(&self, hash: &FeedTokenHash) -> Result<Option<Actor>, RepositoryError> {
        let hash = hash.as_str().to_owned();
        let found: Option<(i32, String)> = with_conn!(self.db, |conn| {
            Ok(calendar_feeds::table
                .inner_join(users::table)
                .filter(calendar_feeds::token_hash.eq(hash))
                .select((users::id, users::role))
                .first(conn)
                .optional()?)
        })?;
        found
            .map(|(id, role)| {
                let role = Role::parse(&role).ok_or_else(|| {
                    RepositoryError::Internal(format!("user {id} has an unknown role {role:?}"))
                })?;
                Ok(Actor {
                    user_id: UserId(id),
                    role,
                })
            })
            .transpose()
    }
}
