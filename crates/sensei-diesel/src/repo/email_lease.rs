//! Which due emails a lease takes, per backend: PostgreSQL locks them (`FOR UPDATE SKIP
//! LOCKED`, so a concurrent worker skips them); SQLite's immediate transaction already holds
//! the only write lock.

use diesel::prelude::*;

use crate::db::WriteConn;
use crate::schema::email_deliveries as emails;
use crate::timestamp::SqlaTimestamp;

/// The status of an email neither sent, skipped nor given up.
pub(super) const PENDING: &str = "pending";

/// How each backend picks the due rows of a lease.
pub(super) trait EmailLeaseConn: WriteConn {
    /// The ids of at most `limit` due, unleased, pending emails at `now`, oldest due first.
    fn due_email_ids(&mut self, now: SqlaTimestamp, limit: i64) -> QueryResult<Vec<i64>>;
}

#[cfg(feature = "sqlite")]
impl EmailLeaseConn for diesel::sqlite::SqliteConnection {
    fn due_email_ids(&mut self, now: SqlaTimestamp, limit: i64) -> QueryResult<Vec<i64>> {
        emails::table
            .filter(emails::status.eq(PENDING))
            .filter(emails::next_attempt_at.le(now))
            .filter(
                emails::leased_until
                    .is_null()
                    .or(emails::leased_until.lt(now)),
            )
            .order((emails::next_attempt_at.asc(), emails::id.asc()))
            .limit(limit)
            .select(emails::id)
            .load(self)
    }
}

#[cfg(feature = "postgres")]
impl EmailLeaseConn for diesel::pg::PgConnection {
    fn due_email_ids(&mut self, now: SqlaTimestamp, limit: i64) -> QueryResult<Vec<i64>> {
        emails::table
            .filter(emails::status.eq(PENDING))
            .filter(emails::next_attempt_at.le(now))
            .filter(
                emails::leased_until
                    .is_null()
                    .or(emails::leased_until.lt(now)),
            )
            .order((emails::next_attempt_at.asc(), emails::id.asc()))
            .limit(limit)
            .select(emails::id)
            .for_update()
            .skip_locked()
            .load(self)
    }
}
