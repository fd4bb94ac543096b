//! Which due deliveries a lease takes: fairly across endpoints, within the worker's room
//! ([`LeaseRoom`]), and, on PostgreSQL, locked so that a concurrent worker skips them.
//!
//! One hand-written query for both backends (window functions are in SQLite since 3.25 and
//! in PostgreSQL): each endpoint's due rows are numbered oldest due first, rows past the
//! endpoint's room are dropped, and the rest are taken by that number first, so every
//! endpoint's first delivery comes before anyone's second. The query ranks every due row
//! of the endpoints not paused: one sort of the due rows per lease.

use diesel::backend::Backend;
use diesel::connection::LoadConnection;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Integer, Timestamp};
use sensei_core::LeaseRoom;

use crate::db::WriteConn;
#[cfg(feature = "postgres")]
use crate::schema::webhook_deliveries as deliveries;
use crate::timestamp::SqlaTimestamp;

/// The status of a delivery neither delivered nor given up.
pub(super) const PENDING: &str = "pending";

/// The due, unleased rows of endpoints not paused, numbered per endpoint. Binds: now (due),
/// now (lease lapsed), now (pause over), the per-endpoint share.
const RANKED_DUE: &str = "SELECT id FROM (\
     SELECT d.id, d.endpoint_id, d.next_attempt_at, \
     ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) AS rn \
     FROM webhook_deliveries d \
     WHERE d.status = 'pending' AND d.next_attempt_at <= ? \
     AND (d.leased_until IS NULL OR d.leased_until < ?) \
     AND d.endpoint_id NOT IN (SELECT e.id FROM webhook_endpoints e WHERE e.down_until > ?)\
     ) ranked WHERE rn <= ?";

/// One more condition per endpoint with attempts in flight. Binds: the endpoint, its room.
const ROOM_OF_ONE: &str = " AND NOT (endpoint_id = ? AND rn > ?)";

/// Every endpoint's n-th before anyone's (n+1)-th, then oldest due first. Bind: the limit.
const FAIR_ORDER: &str = " ORDER BY rn, next_attempt_at, id LIMIT ?";

/// The SQL text for `busy` endpoints with attempts in flight, `?` placeholders.
fn ranked_sql(busy: usize) -> String {
    let mut sql = String::with_capacity(RANKED_DUE.len() + busy * ROOM_OF_ONE.len() + 48);
    sql.push_str(RANKED_DUE);
    for _ in 0..busy {
        sql.push_str(ROOM_OF_ONE);
    }
    sql.push_str(FAIR_ORDER);
    sql
}

#[derive(QueryableByName)]
struct DueId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The ids a lease may take at `now` within `room`, fairest first (not yet locked).
fn ranked_due_ids<C>(conn: &mut C, now: SqlaTimestamp, room: &LeaseRoom) -> QueryResult<Vec<i64>>
where
    C: WriteConn + LoadConnection,
    C::Backend: Backend + HasSqlType<Timestamp> + HasSqlType<Integer> + HasSqlType<BigInt>,
    SqlaTimestamp: ToSql<Timestamp, C::Backend>,
    i32: ToSql<Integer, C::Backend>,
    i64: ToSql<BigInt, C::Backend>,
    DueId: QueryableByName<C::Backend>,
    for<'a> BoxedSqlQuery<'a, C::Backend, SqlQuery>: diesel::query_dsl::LoadQuery<'a, C, DueId>,
{
    let sql = C::placeholders(&ranked_sql(room.in_flight.len())).into_owned();
    let mut query = diesel::sql_query(sql)
        .into_boxed::<C::Backend>()
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(i64::from(room.per_endpoint));
    for (endpoint, _) in &room.in_flight {
        query = query
            .bind::<Integer, _>(endpoint.get())
            .bind::<BigInt, _>(i64::from(room.room_for(*endpoint)));
    }
    let rows: Vec<DueId> = query.bind::<BigInt, _>(i64::from(room.limit)).load(conn)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// How each backend takes the due rows of a lease.
pub(super) trait LeaseConn: WriteConn {
    /// The ids of the due, unleased, undelivered rows a lease at `now` takes within `room`
    /// (see [`sensei_core::ports::WebhookStore::lease_due`]); on PostgreSQL locked (`FOR
    /// UPDATE SKIP LOCKED`) so a concurrent worker skips them.
    fn due_ids(&mut self, now: SqlaTimestamp, room: &LeaseRoom) -> QueryResult<Vec<i64>>;
}

#[cfg(feature = "sqlite")]
impl LeaseConn for diesel::sqlite::SqliteConnection {
    fn due_ids(&mut self, now: SqlaTimestamp, room: &LeaseRoom) -> QueryResult<Vec<i64>> {
        // The immediate transaction holds the only write lock: no other worker reads these
        // rows as unleased until it commits.
        ranked_due_ids(self, now, room)
    }
}

/// The advisory lock that queues leases across processes on PostgreSQL. Range 3 of the
/// advisory keys (`UserLock` uses ranges 1 and 2, `range << 32` plus a user id).
#[cfg(feature = "postgres")]
const LEASE_LOCK_KEY: i64 = 3 << 32;

#[cfg(feature = "postgres")]
impl LeaseConn for diesel::pg::PgConnection {
    fn due_ids(&mut self, now: SqlaTimestamp, room: &LeaseRoom) -> QueryResult<Vec<i64>> {
        // Leases queue (until the transaction ends, a few milliseconds): a ranking that ran
        // beside another lease would pick the rows that lease is taking, find them locked
        // and come back empty. Queued, each ranking reads the leases committed before it
        // (each statement reads the latest committed rows).
        crate::db::cached(
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)").bind::<BigInt, _>(LEASE_LOCK_KEY),
        )
        .execute(self)?;
        // PostgreSQL refuses FOR UPDATE next to a window function: rank first, then lock
        // what is still unleased, skipping rows someone else holds (a worker that does not
        // take the advisory lock, such as an older release during a rolling deploy).
        let ranked = ranked_due_ids(self, now, room)?;
        if ranked.is_empty() {
            return Ok(ranked);
        }
        let locked: Vec<i64> = deliveries::table
            .filter(deliveries::id.eq_any(&ranked))
            .filter(deliveries::status.eq(PENDING))
            .filter(
                deliveries::leased_until
                    .is_null()
                    .or(deliveries::leased_until.lt(now)),
            )
            .select(deliveries::id)
            .for_update()
            .skip_locked()
            .load(self)?;
        Ok(ranked
            .into_iter()
            .filter(|id| locked.contains(id))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_in_flight_adds_one_condition_before_the_fair_order() {
        let sql = ranked_sql(2);
        assert_eq!(sql.matches("endpoint_id = ? AND rn > ?").count(), 2);
        assert!(sql.ends_with(" ORDER BY rn, next_attempt_at, id LIMIT ?"));
        assert_eq!(sql.matches('?').count(), 4 + 2 * 2 + 1);
        assert_eq!(ranked_sql(0).matches('?').count(), 5);
    }
}
