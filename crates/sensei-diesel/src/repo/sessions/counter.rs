//! The trigger-maintained counter of sessions by state: one row on SQLite (one writer at a
//! time), 16 slots on PostgreSQL (concurrent changes update different rows; migration
//! `2024-01-07-000000_postgres_booking_path`). Readers sum the rows, whatever their number.
//! The rows also count every change to a session (`changes`, migration
//! `2024-01-08-000000_queue_change_counter`): the dashboard's cache keys what it keeps on
//! that sum.

use diesel::query_builder::SqlQuery;
use diesel::query_dsl::methods::LoadQuery;
use diesel::sql_types::BigInt;
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::db::{cached, Cached};

/// The counter's totals as columns (`pending`, `completed`, `cancelled`, `changes`,
/// `slots`): scalar sub-selects, read alone or appended to another select list.
// Why a macro: the text is spliced into other constant SQL (`COUNTER_TOTALS` here, the
// signed-in read's statement) with `concat!`, which takes only literals; a `const &str`
// cannot be joined to another at compile time without a const-formatting crate, and joining
// at run time would build the text on every request.
macro_rules! counter_total_columns {
    () => {
        "(SELECT CAST(COALESCE(SUM(pending_count), 0) AS BIGINT) \
           FROM scheduled_session_counts) AS pending, \
         (SELECT CAST(COALESCE(SUM(completed_count), 0) AS BIGINT) \
           FROM scheduled_session_counts) AS completed, \
         (SELECT CAST(COALESCE(SUM(cancelled_count), 0) AS BIGINT) \
           FROM scheduled_session_counts) AS cancelled, \
         (SELECT CAST(COALESCE(SUM(changes), 0) AS BIGINT) \
           FROM scheduled_session_counts) AS changes, \
         (SELECT COUNT(*) FROM scheduled_session_counts) AS slots"
    };
}
pub(crate) use counter_total_columns;

/// The totals over the counter's rows, in one statement (constant text, prepared once).
pub(crate) const COUNTER_TOTALS: &str = concat!("SELECT ", counter_total_columns!());

/// What [`COUNTER_TOTALS`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::QueryableByName)]
pub(crate) struct CounterTotals {
    /// Open sessions (neither completed nor cancelled).
    #[diesel(sql_type = BigInt)]
    pub(crate) pending: i64,
    /// Completed sessions.
    #[diesel(sql_type = BigInt)]
    pub(crate) completed: i64,
    /// Cancelled sessions.
    #[diesel(sql_type = BigInt)]
    pub(crate) cancelled: i64,
    /// Changes to sessions ever counted: grows with every committed insert, update and
    /// delete of a session, so an unchanged value means an unchanged table.
    #[diesel(sql_type = BigInt)]
    pub(crate) changes: i64,
    /// The counter's rows; none on a database migrated by hand (then the table is counted).
    #[diesel(sql_type = BigInt)]
    slots: i64,
}

impl CounterTotals {
    /// The totals, or `None` when the counter has no row.
    pub(crate) fn kept(self) -> Option<Self> {
        (self.slots > 0).then_some(self)
    }
}

/// Reads the counter's totals: `None` when the counter has no row (a database migrated by
/// hand). Constant SQL, kept prepared ([`cached`]).
pub(crate) fn read_counter<C>(conn: &mut C) -> QueryResult<Option<CounterTotals>>
where
    C: Connection,
    Cached<SqlQuery>: LoadQuery<'static, C, CounterTotals>,
{
    let totals: CounterTotals = cached(diesel::sql_query(COUNTER_TOTALS)).get_result(conn)?;
    Ok(totals.kept())
}
