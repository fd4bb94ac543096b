//! The rows the generator inserts, and the few statements that differ per backend.

use chrono::{DateTime, Utc};
#[cfg(feature = "postgres")]
use diesel::connection::SimpleConnection;
#[cfg(feature = "postgres")]
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
#[cfg(feature = "sqlite")]
use diesel::sqlite::SqliteConnection;

use crate::schema::{
    agent_messages, agent_sessions, anatomy_conversations, anatomy_messages, challenges,
    goal_progress, goals, reviews, scheduled_session_events, scheduled_sessions, submissions,
    users,
};
use crate::timestamp::SqlaTimestamp;
use sensei_core::Role;

/// Recomputes the counter from the table (portable SQL): the totals in row 1, the other
/// slots (PostgreSQL has 16) zero; and counts a change in every slot, since the bulk load
/// ran without the triggers that count them (readers that keep pages key them on the sum).
const RECOUNT: &str = "\
UPDATE scheduled_session_counts SET
    pending_count = CASE WHEN id = 1 THEN (SELECT COUNT(*) FROM scheduled_sessions
        WHERE session_completed_at IS NULL AND cancelled_at IS NULL) ELSE 0 END,
    completed_count = CASE WHEN id = 1 THEN (SELECT COUNT(*) FROM scheduled_sessions
        WHERE session_completed_at IS NOT NULL) ELSE 0 END,
    cancelled_count = CASE WHEN id = 1 THEN (SELECT COUNT(*) FROM scheduled_sessions
        WHERE session_completed_at IS NULL AND cancelled_at IS NOT NULL) ELSE 0 END,
    changes = changes + 1";

/// Bound parameters one statement may carry: below SQLite's limit (32,766 since 3.32) and
/// PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;

/// Rows per multi-row `INSERT` for a table of `columns` columns.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_BINDS / columns.max(1)).clamp(1, 2_000)
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserInsert {
    pub id: i32,
    pub email: String,
    pub role: &'static str,
    pub password_hash: String,
    pub created_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = challenges)]
pub(crate) struct ChallengeInsert {
    pub id: i32,
    pub name: String,
    pub description: String,
}

#[derive(Insertable)]
#[diesel(table_name = goals)]
pub(crate) struct GoalInsert {
    pub id: i32,
    pub challenge_id: i32,
    pub title: String,
    pub position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = submissions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SubmissionInsert {
    pub id: i32,
    pub user_id: i32,
    pub challenge_id: i32,
    pub submitted_at: SqlaTimestamp,
    pub content: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = reviews)]
pub(crate) struct ReviewInsert {
    pub id: i32,
    pub submission_id: i32,
    pub verdict: String,
    pub created_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = goal_progress)]
pub(crate) struct GoalProgressInsert {
    pub id: i32,
    pub user_id: i32,
    pub goal_id: i32,
    pub status: &'static str,
    pub updated_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = agent_sessions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct DigiTrainerSessionInsert {
    pub id: i32,
    pub user_id: i32,
    pub challenge_id: i32,
    pub goal_id: Option<i32>,
    pub started_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = agent_messages)]
pub(crate) struct DigiTrainerMessageInsert {
    pub id: i32,
    pub agent_session_id: i32,
    pub role: &'static str,
    pub content: String,
    pub created_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = anatomy_conversations)]
pub(crate) struct AnatomyConversationInsert {
    pub id: i32,
    pub submission_id: i32,
    pub title: String,
    pub created_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = anatomy_messages)]
pub(crate) struct AnatomyMessageInsert {
    pub id: i32,
    pub conversation_id: i32,
    pub role: &'static str,
    pub content: String,
    pub created_at: SqlaTimestamp,
}

#[derive(Insertable)]
#[diesel(table_name = scheduled_sessions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct ScheduledSessionInsert {
    pub id: i32,
    pub submission_id: i32,
    pub user_id: i32,
    pub eligibility_reason: Option<&'static str>,
    pub goals_passed: Option<i32>,
    pub goals_engaged: Option<i32>,
    pub total_goals: Option<i32>,
    pub scheduled_at: SqlaTimestamp,
    pub session_completed_at: Option<SqlaTimestamp>,
    pub notes: Option<String>,
    pub claimed_by: Option<i32>,
    pub claim_expires_at: Option<SqlaTimestamp>,
    pub completed_by: Option<i32>,
    pub cancelled_at: Option<SqlaTimestamp>,
    pub cancel_reason: Option<&'static str>,
}

/// Columns of [`ScheduledSessionInsert`].
pub(crate) const SESSION_COLUMNS: usize = 15;

#[derive(Insertable)]
#[diesel(table_name = scheduled_session_events)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct EventInsert {
    pub id: i32,
    pub session_id: i32,
    pub occurred_at: SqlaTimestamp,
    pub actor_id: Option<i32>,
    pub kind: &'static str,
    pub from_state: Option<&'static str>,
    pub to_state: &'static str,
    pub detail: Option<String>,
}

/// Columns of [`EventInsert`].
pub(crate) const EVENT_COLUMNS: usize = 8;

/// A slice of rows of one table.
pub(crate) enum Rows<'r> {
    Users(&'r [UserInsert]),
    Challenges(&'r [ChallengeInsert]),
    Goals(&'r [GoalInsert]),
    Submissions(&'r [SubmissionInsert]),
    Reviews(&'r [ReviewInsert]),
    GoalProgress(&'r [GoalProgressInsert]),
    DigiTrainerSessions(&'r [DigiTrainerSessionInsert]),
    DigiTrainerMessages(&'r [DigiTrainerMessageInsert]),
    AnatomyConversations(&'r [AnatomyConversationInsert]),
    AnatomyMessages(&'r [AnatomyMessageInsert]),
    ScheduledSessions(&'r [ScheduledSessionInsert]),
    Events(&'r [EventInsert]),
}

/// The tables the generator writes, in insertion order (parents first).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) const TABLES: [&str; 12] = [
    "users",
    "challenges",
    "goals",
    "submissions",
    "reviews",
    "goal_progress",
    "agent_sessions",
    "agent_messages",
    "anatomy_conversations",
    "anatomy_messages",
    "scheduled_sessions",
    "scheduled_session_events",
];

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What the generator needs from a connection, implemented for both backends.
pub(crate) trait Bulk: crate::db::WriteConn {
    /// One multi-row `INSERT` of `rows`.
    fn insert_rows(&mut self, rows: Rows<'_>) -> QueryResult<usize>;

    /// A single `SELECT <bigint> AS n`.
    fn number(&mut self, sql: &str) -> QueryResult<i64>;

    /// Adds the instructor `email` unless a user with that email exists; whether it did.
    fn ensure_instructor(
        &mut self,
        email: &str,
        password_hash: &str,
        at: DateTime<Utc>,
    ) -> QueryResult<bool>;

    /// Sets `scheduled_session_counts` to what `scheduled_sessions` holds.
    fn recount_sessions(&mut self) -> QueryResult<()> {
        self.batch_execute(RECOUNT)
    }

    /// Before bulk-loading `scheduled_sessions` and its events: PostgreSQL disables the
    /// tables' user triggers (the pending/completed counter, which would otherwise update one
    /// row once per inserted session within one transaction, and the events' fan-out); the
    /// counter is recomputed afterwards.
    /// SQLite keeps its triggers (an in-place update per row is cheap there).
    fn pause_session_triggers(&mut self) -> QueryResult<()> {
        Ok(())
    }

    /// Undoes [`Bulk::pause_session_triggers`].
    fn resume_session_triggers(&mut self) -> QueryResult<()> {
        Ok(())
    }

    /// After the load: PostgreSQL `VACUUM (ANALYZE)` of the written tables, so the planner
    /// has statistics and autovacuum does not start on them during a benchmark. SQLite:
    /// nothing (the tested query plans do not depend on `sqlite_stat1`).
    fn after_load(&mut self) -> QueryResult<()> {
        Ok(())
    }

    /// After rows were inserted with explicit ids: moves PostgreSQL's `SERIAL` sequences
    /// past them (SQLite's `AUTOINCREMENT` follows explicit ids by itself).
    fn advance_sequences(&mut self) -> QueryResult<()> {
        Ok(())
    }
}

// Why a macro: `Bulk` is implemented for each backend's connection, and its insert is eleven
// multi-row `INSERT`s of different row types (Diesel's batch insert has per-backend
// implementations). A generic function needs one `ExecuteDsl` bound per table's statement
// type; the macro gives each `impl Bulk` the same bodies without them. A developer tool
// (`fixtures`), never on a request path.
macro_rules! impl_bulk {
    ($conn:ty) => {
        fn insert_rows_on(conn: &mut $conn, rows: Rows<'_>) -> QueryResult<usize> {
            match rows {
                Rows::Users(rows) => diesel::insert_into(users::table).values(rows).execute(conn),
                Rows::Challenges(rows) => diesel::insert_into(challenges::table)
                    .values(rows)
                    .execute(conn),
                Rows::Goals(rows) => diesel::insert_into(goals::table).values(rows).execute(conn),
                Rows::Submissions(rows) => diesel::insert_into(submissions::table)
                    .values(rows)
                    .execute(conn),
                Rows::Reviews(rows) => diesel::insert_into(reviews::table)
                    .values(rows)
                    .execute(conn),
                Rows::GoalProgress(rows) => diesel::insert_into(goal_progress::table)
                    .values(rows)
                    .execute(conn),
                Rows::DigiTrainerSessions(rows) => diesel::insert_into(agent_sessions::table)
                    .values(rows)
                    .execute(conn),
                Rows::DigiTrainerMessages(rows) => diesel::insert_into(agent_messages::table)
                    .values(rows)
                    .execute(conn),
                Rows::AnatomyConversations(rows) => {
                    diesel::insert_into(anatomy_conversations::table)
                        .values(rows)
                        .execute(conn)
                }
                Rows::AnatomyMessages(rows) => diesel::insert_into(anatomy_messages::table)
                    .values(rows)
                    .execute(conn),
                Rows::ScheduledSessions(rows) => diesel::insert_into(scheduled_sessions::table)
                    .values(rows)
                    .execute(conn),
                Rows::Events(rows) => diesel::insert_into(scheduled_session_events::table)
                    .values(rows)
                    .execute(conn),
            }
        }

        fn ensure_instructor_on(
            conn: &mut $conn,
            email: &str,
            password_hash: &str,
            at: DateTime<Utc>,
        ) -> QueryResult<bool> {
            let existing: Option<i32> = users::table
                .filter(users::email.eq(email))
                .select(users::id)
                .first(conn)
                .optional()?;
            if existing.is_some() {
                return Ok(false);
            }
            diesel::insert_into(users::table)
                .values((
                    users::email.eq(email),
                    users::role.eq(Role::Instructor.as_str()),
                    users::password_hash.eq(password_hash),
                    users::created_at.eq(SqlaTimestamp::from(at)),
                ))
                .execute(conn)?;
            Ok(true)
        }

        fn number_on(conn: &mut $conn, sql: &str) -> QueryResult<i64> {
            let rows: Vec<Number> = diesel::sql_query(sql).load(conn)?;
            Ok(rows.first().map(|row| row.n).unwrap_or(0))
        }
    };
}

#[cfg(feature = "sqlite")]
mod sqlite_impl {
    use super::*;
    impl_bulk!(SqliteConnection);

    impl Bulk for SqliteConnection {
        fn insert_rows(&mut self, rows: Rows<'_>) -> QueryResult<usize> {
            insert_rows_on(self, rows)
        }

        fn number(&mut self, sql: &str) -> QueryResult<i64> {
            number_on(self, sql)
        }

        fn ensure_instructor(
            &mut self,
            email: &str,
            password_hash: &str,
            at: DateTime<Utc>,
        ) -> QueryResult<bool> {
            ensure_instructor_on(self, email, password_hash, at)
        }
    }
}

#[cfg(feature = "postgres")]
mod pg_impl {
    use super::*;
    impl_bulk!(PgConnection);

    impl Bulk for PgConnection {
        fn insert_rows(&mut self, rows: Rows<'_>) -> QueryResult<usize> {
            insert_rows_on(self, rows)
        }

        fn number(&mut self, sql: &str) -> QueryResult<i64> {
            number_on(self, sql)
        }

        fn ensure_instructor(
            &mut self,
            email: &str,
            password_hash: &str,
            at: DateTime<Utc>,
        ) -> QueryResult<bool> {
            ensure_instructor_on(self, email, password_hash, at)
        }

        fn pause_session_triggers(&mut self) -> QueryResult<()> {
            // The events' triggers (append-only guard, webhook and email fan-out) are paused
            // too: generated history is neither delivered nor mailed.
            self.batch_execute(
                "ALTER TABLE scheduled_sessions DISABLE TRIGGER USER; \
                 ALTER TABLE scheduled_session_events DISABLE TRIGGER USER",
            )
        }

        fn resume_session_triggers(&mut self) -> QueryResult<()> {
            self.batch_execute(
                "ALTER TABLE scheduled_sessions ENABLE TRIGGER USER; \
                 ALTER TABLE scheduled_session_events ENABLE TRIGGER USER",
            )
        }

        fn advance_sequences(&mut self) -> QueryResult<()> {
            let mut sql = String::new();
            for table in TABLES {
                sql.push_str(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     GREATEST((SELECT MAX(id) FROM {table}), 1), \
                     (SELECT MAX(id) FROM {table}) IS NOT NULL);\n"
                ));
            }
            self.batch_execute(&sql)
        }

        fn after_load(&mut self) -> QueryResult<()> {
            self.batch_execute(&format!("VACUUM (ANALYZE) {}", TABLES.join(", ")))
        }
    }
}
