//! Query plans: the queue page must be driven by the pending index and primary-key lookups: its cost
//! must not grow with the table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use diesel::query_builder::{QueryBuilder, QueryFragment};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel_migrations::MigrationHarness;

#[derive(QueryableByName)]
struct QueryPlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

fn plan(conn: &mut SqliteConnection, query: &impl QueryFragment<Sqlite>) -> Vec<String> {
    let mut builder = diesel::sqlite::SqliteQueryBuilder::new();
    query.to_sql(&mut builder, &Sqlite).unwrap();
    let sql = builder.finish();
    let rows: Vec<QueryPlanRow> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load(conn)
        .unwrap();
    rows.into_iter().map(|row| row.detail).collect()
}

#[test]
fn first_and_later_pages_use_the_pending_index() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_PLATFORM)
        .unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_FEATURE)
        .unwrap();
    for cursor in [false, true] {
        let base = list_source().select(list_columns()).into_boxed::<Sqlite>();
        // The dashboard's queue: open sessions.
        let filters = SessionQuery {
            status: StatusFilter::Open,
            ..SessionQuery::default()
        };
        let pattern: Option<String> = None;
        let now = SqlaTimestamp::from(Utc::now());
        let mut q = query::sqlite::apply_filters(base, &filters, pattern, now);
        if cursor {
            let at = SqlaTimestamp::from(Utc::now());
            q = query::sqlite::past_cursor(q, (at, 1), false);
        }
        let q = q
            .order((
                scheduled_sessions::scheduled_at.asc(),
                scheduled_sessions::id.asc(),
            ))
            .limit(26);
        let steps = plan(&mut conn, &q);
        assert!(
            steps
                .iter()
                .any(|s| s.contains("idx_scheduled_sessions_pending")),
            "{steps:?}"
        );
        if cursor {
            // A range on the index, not a walk from its start.
            assert!(
                steps
                    .iter()
                    .any(|s| s.contains("idx_scheduled_sessions_pending (scheduled_at>?)")),
                "{steps:?}"
            );
        }
        for step in &steps {
            assert!(
                !step.contains("MATERIALIZE") && !step.contains("TEMP B-TREE"),
                "{steps:?}"
            );
            assert!(
                !step.starts_with("SCAN") || step.contains("idx_scheduled_sessions_pending"),
                "{steps:?}"
            );
        }
    }
}

#[test]
fn my_live_claims_are_counted_from_the_claims_index() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_PLATFORM)
        .unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_FEATURE)
        .unwrap();
    let now = SqlaTimestamp::from(Utc::now());
    let mine = SessionQuery {
        status: StatusFilter::Claimed,
        claimed_by: Some(UserId(1)),
        ..SessionQuery::default()
    };
    let pattern: Option<String> = None;
    let base = list_source()
        .select(diesel::dsl::count_star())
        .into_boxed::<Sqlite>();
    let q = query::sqlite::apply_filters(base, &mine, pattern, now);
    let steps = plan(&mut conn, &q);
    assert!(
        steps
            .iter()
            .any(|s| s.contains("idx_scheduled_sessions_claimed_by")),
        "{steps:?}"
    );
}

#[test]
fn dedup_check_uses_its_index() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_PLATFORM)
        .unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_FEATURE)
        .unwrap();
    let q = scheduled_sessions::table
        .filter(scheduled_sessions::user_id.eq(1))
        .filter(scheduled_sessions::submission_id.eq(2))
        .filter(scheduled_sessions::scheduled_at.gt(SqlaTimestamp::from(Utc::now())))
        .order((
            scheduled_sessions::scheduled_at.desc(),
            scheduled_sessions::id.desc(),
        ))
        .select(ScheduledSessionRow::as_select())
        .limit(1);
    let steps = plan(&mut conn, &q);
    assert!(
        steps
            .iter()
            .any(|s| s.contains("idx_scheduled_sessions_dedup")),
        "{steps:?}"
    );
}

#[test]
fn pages_of_every_session_range_over_the_booking_index_without_sorting() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_PLATFORM)
        .unwrap();
    conn.run_pending_migrations(crate::migrations::SQLITE_FEATURE)
        .unwrap();
    // The export's query: every state, oldest first, after a cursor.
    for status in [
        StatusFilter::All,
        StatusFilter::Completed,
        StatusFilter::Closed,
    ] {
        let filters = SessionQuery {
            status,
            ..SessionQuery::default()
        };
        let pattern: Option<String> = None;
        let now = SqlaTimestamp::from(Utc::now());
        let base = list_source().select(list_columns()).into_boxed::<Sqlite>();
        let q = query::sqlite::apply_filters(base, &filters, pattern, now);
        let at = SqlaTimestamp::from(Utc::now());
        let q = query::sqlite::past_cursor(q, (at, 1), false)
            .order((
                scheduled_sessions::scheduled_at.asc(),
                scheduled_sessions::id.asc(),
            ))
            .limit(101);
        let steps = plan(&mut conn, &q);
        assert!(
            steps
                .iter()
                .any(|s| s.contains("idx_scheduled_sessions_booked (scheduled_at>?)")),
            "{status:?}: {steps:?}"
        );
        assert!(
            steps.iter().all(|s| !s.contains("TEMP B-TREE")),
            "{status:?}: {steps:?}"
        );
    }
}
