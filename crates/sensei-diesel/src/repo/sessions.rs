//! `scheduled_sessions`: atomic create-unless-recent, the instructors' queue, completion.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{CompleteOutcome, CreateOutcome, ScheduledSessionRepository};
use sensei_core::{
    ChallengeId, Completion, EngagementSnapshot, NewScheduledSession, Notes, Page, PageRequest,
    RecordedReason, RepositoryError, ScheduledSession, ScheduledSessionId, SessionCursor,
    SessionLifecycle, SessionListEntry, SessionQuery, StatusFilter, SubmissionId, UserId,
};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::schema::{challenges, scheduled_session_counts, scheduled_sessions, submissions, users};
use crate::timestamp::SqlaTimestamp;

diesel::define_sql_function! {
    /// SQL `lower()`.
    fn lower(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// One row of `scheduled_sessions`, as stored (any value the platform may have written).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scheduled_sessions)]
#[cfg_attr(
    all(feature = "sqlite", feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
#[cfg_attr(
    all(feature = "sqlite", not(feature = "postgres")),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    all(feature = "postgres", not(feature = "sqlite")),
    diesel(check_for_backend(diesel::pg::Pg))
)]
pub(crate) struct ScheduledSessionRow {
    id: i32,
    submission_id: i32,
    user_id: i32,
    eligibility_reason: Option<String>,
    goals_passed: Option<i32>,
    goals_engaged: Option<i32>,
    total_goals: Option<i32>,
    scheduled_at: SqlaTimestamp,
    session_completed_at: Option<SqlaTimestamp>,
    notes: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = scheduled_sessions)]
struct NewScheduledSessionRow {
    submission_id: i32,
    user_id: i32,
    eligibility_reason: Option<String>,
    goals_passed: Option<i32>,
    goals_engaged: Option<i32>,
    total_goals: Option<i32>,
    scheduled_at: SqlaTimestamp,
}

/// A stored count; NULL or negative is 0.
fn count(raw: Option<i32>) -> u32 {
    raw.and_then(|value| u32::try_from(value).ok()).unwrap_or(0)
}

fn stored_count(value: u32) -> Option<i32> {
    Some(i32::try_from(value).unwrap_or(i32::MAX))
}

impl From<ScheduledSessionRow> for ScheduledSession {
    fn from(row: ScheduledSessionRow) -> Self {
        let lifecycle = match row.session_completed_at {
            None => SessionLifecycle::Pending,
            Some(at) => SessionLifecycle::Completed(Completion {
                completed_at: at.utc(),
                notes: row.notes.and_then(Notes::from_stored),
            }),
        };
        ScheduledSession {
            id: ScheduledSessionId(row.id),
            submission_id: SubmissionId(row.submission_id),
            user_id: UserId(row.user_id),
            reason: RecordedReason::from_stored(row.eligibility_reason.as_deref()),
            engagement: EngagementSnapshot {
                goals_passed: count(row.goals_passed),
                goals_engaged: count(row.goals_engaged),
                total_goals: count(row.total_goals),
            },
            scheduled_at: row.scheduled_at.utc(),
            lifecycle,
        }
    }
}

type QueueRow = (
    ScheduledSessionRow,
    Option<String>,
    Option<i32>,
    Option<String>,
);

fn entry(row: QueueRow) -> SessionListEntry {
    let (session, email, challenge_id, challenge_name) = row;
    SessionListEntry {
        session: session.into(),
        student_email: email.unwrap_or_default(),
        challenge_id: ChallengeId(challenge_id.unwrap_or_default()),
        challenge_name: challenge_name.unwrap_or_default(),
    }
}

/// `%needle%` for LIKE, with `\`, `%` and `_` escaped (ESCAPE '\'), lower-cased (ASCII, as
/// SQLite's `lower`).
fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.trim().to_ascii_lowercase().chars() {
        if matches!(ch, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The list's source: every session with its student and its submission's challenge. Left
/// joins, so a row whose user or submission is missing (the platform's SQLite runs without
/// foreign keys) is still listed; flat (not nested) so SQLite drives the query from the
/// pending index and looks the others up by primary key, never materialising a join.
macro_rules! list_source {
    () => {
        scheduled_sessions::table
            .left_join(users::table)
            .left_join(submissions::table)
            .left_join(challenges::table.on(challenges::id.eq(submissions::challenge_id)))
    };
}

/// Applies a [`SessionQuery`]'s filters to a boxed query over [`list_source!`].
macro_rules! apply_filters {
    ($query:ident, $filters:expr, $pattern:expr) => {{
        let mut q = $query;
        match $filters.status {
            StatusFilter::Pending => {
                q = q.filter(scheduled_sessions::session_completed_at.is_null())
            }
            StatusFilter::Completed => {
                q = q.filter(scheduled_sessions::session_completed_at.is_not_null())
            }
            StatusFilter::All => {}
        }
        if let Some(reason) = $filters.reason {
            q = q.filter(scheduled_sessions::eligibility_reason.eq(reason.as_str()));
        }
        if let Some(challenge) = $filters.challenge_id {
            q = q.filter(submissions::challenge_id.nullable().eq(challenge.get()));
        }
        if let Some(pattern) = $pattern {
            q = q.filter(lower(users::email.nullable()).like(pattern).escape('\\'));
        }
        q
    }};
}

/// Keeps the rows after a cursor: `(scheduled_at, id) > (at, id)`. The redundant
/// `scheduled_at >= at` gives the planner a range start on the pending index; with the OR
/// alone SQLite walks the index from its first entry, so a deep page cost grew with its depth.
macro_rules! after_cursor {
    ($query:expr, $at:expr, $id:expr) => {
        $query
            .filter(scheduled_sessions::scheduled_at.ge($at))
            .filter(
                scheduled_sessions::scheduled_at
                    .gt($at)
                    .or(scheduled_sessions::scheduled_at
                        .eq($at)
                        .and(scheduled_sessions::id.gt($id))),
            )
    };
}

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
}

#[async_trait]
impl ScheduledSessionRepository for DieselScheduledSessions {
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
    ) -> Result<CreateOutcome, RepositoryError> {
        let window = SqlaTimestamp::from(window_start);
        let row = NewScheduledSessionRow {
            submission_id: new.submission_id.get(),
            user_id: new.user_id.get(),
            eligibility_reason: Some(new.reason.as_str().to_owned()),
            goals_passed: stored_count(new.engagement.goals_passed),
            goals_engaged: stored_count(new.engagement.goals_engaged),
            total_goals: stored_count(new.engagement.total_goals),
            scheduled_at: SqlaTimestamp::from(new.scheduled_at),
        };
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                conn.lock_pair(row.user_id, row.submission_id)?;
                let existing = scheduled_sessions::table
                    .filter(scheduled_sessions::user_id.eq(row.user_id))
                    .filter(scheduled_sessions::submission_id.eq(row.submission_id))
                    .filter(scheduled_sessions::scheduled_at.gt(window))
                    .order((
                        scheduled_sessions::scheduled_at.desc(),
                        scheduled_sessions::id.desc(),
                    ))
                    .select(ScheduledSessionRow::as_select())
                    .first(conn)
                    .optional()?;
                if let Some(existing) = existing {
                    return Ok(CreateOutcome::Existing(existing.into()));
                }
                let created = diesel::insert_into(scheduled_sessions::table)
                    .values(&row)
                    .returning(ScheduledSessionRow::as_returning())
                    .get_result(conn)?;
                Ok(CreateOutcome::Created(created.into()))
            })
        })
    }

    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError> {
        let id = id.get();
        with_conn!(self.db, |conn| {
            let row: Option<QueueRow> = list_source!()
                .filter(scheduled_sessions::id.eq(id))
                .select((
                    ScheduledSessionRow::as_select(),
                    users::email.nullable(),
                    submissions::challenge_id.nullable(),
                    challenges::name.nullable(),
                ))
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
        let size = page.size.get();
        let after = page
            .after
            .map(|cursor| (SqlaTimestamp::from(cursor.scheduled_at), cursor.id.get()));
        let rows: Vec<QueueRow> = with_conn!(self.db, |conn| {
            let base = list_source!()
                .select((
                    ScheduledSessionRow::as_select(),
                    users::email.nullable(),
                    submissions::challenge_id.nullable(),
                    challenges::name.nullable(),
                ))
                .into_boxed();
            let mut q = apply_filters!(base, filters, pattern);
            if let Some((at, id)) = after {
                q = after_cursor!(q, at, id);
            }
            let rows = q
                .order((
                    scheduled_sessions::scheduled_at.asc(),
                    scheduled_sessions::id.asc(),
                ))
                .limit(i64::from(size) + 1)
                .load(conn)?;
            Ok(rows)
        })?;
        let mut items: Vec<SessionListEntry> = rows.into_iter().map(entry).collect();
        let more = items.len() > size as usize;
        items.truncate(size as usize);
        let next = if more {
            items.last().map(|last| SessionCursor {
                scheduled_at: last.session.scheduled_at,
                id: last.session.id,
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError> {
        let filters = query.clone();
        let pattern = filters.student_email_contains.as_deref().map(like_pattern);
        let total: i64 = with_conn!(self.db, |conn| {
            if filters.is_status_only() {
                // The trigger-maintained counter: one row, whatever the table's size.
                let counts: Option<(i64, i64)> = scheduled_session_counts::table
                    .find(1)
                    .select((
                        scheduled_session_counts::pending_count,
                        scheduled_session_counts::completed_count,
                    ))
                    .first(conn)
                    .optional()?;
                if let Some((pending, completed)) = counts {
                    return Ok(match filters.status {
                        StatusFilter::Pending => pending,
                        StatusFilter::Completed => completed,
                        StatusFilter::All => pending + completed,
                    });
                }
            }
            let base = list_source!()
                .select(diesel::dsl::count_star())
                .into_boxed();
            let q = apply_filters!(base, filters, pattern);
            Ok(q.first(conn)?)
        })?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    async fn complete_if_pending(
        &self,
        id: ScheduledSessionId,
        completion: Completion,
    ) -> Result<CompleteOutcome, RepositoryError> {
        let id = id.get();
        let at = SqlaTimestamp::from(completion.completed_at);
        let notes = completion.notes.map(Notes::into_inner);
        // A write: on SQLite it queues with the other writers before taking a connection.
        // One write transaction, so the outcome is reported only after COMMIT succeeded (an
        // autocommitted UPDATE ... RETURNING hands its row back before its commit, and a
        // commit that fails on a full disk would go unnoticed).
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                // The WHERE clause is the guard: of two concurrent updates only one matches
                // (SQLite serialises writers; PostgreSQL re-checks the row after the first
                // commits).
                let won = diesel::update(
                    scheduled_sessions::table
                        .filter(scheduled_sessions::id.eq(id))
                        .filter(scheduled_sessions::session_completed_at.is_null()),
                )
                .set((
                    scheduled_sessions::session_completed_at.eq(Some(at)),
                    scheduled_sessions::notes.eq(notes),
                ))
                .returning(ScheduledSessionRow::as_returning())
                .get_result(conn)
                .optional()?;
                if let Some(row) = won {
                    return Ok(CompleteOutcome::Completed(row.into()));
                }
                let current = scheduled_sessions::table
                    .find(id)
                    .select(ScheduledSessionRow::as_select())
                    .first(conn)
                    .optional()?;
                Ok(match current {
                    None => CompleteOutcome::NotFound,
                    Some(row) => CompleteOutcome::AlreadyCompleted(row.into()),
                })
            })
        })
    }

    /// Checks that a SQLite file is still the one the service opened, then reads one id from
    /// the feature's table: the database answers and the schema is there (a bare `SELECT 1`
    /// would pass on an empty or wrong database). Any failure is
    /// unavailable here, since readiness is about serving, not about whose fault it is.
    async fn check_ready(&self) -> Result<(), RepositoryError> {
        self.db.writers.check_file()?;
        let probe: Result<Option<i32>, RepositoryError> = with_conn!(self.db, |conn| {
            Ok(scheduled_sessions::table
                .select(scheduled_sessions::id)
                .first(conn)
                .optional()?)
        });
        match probe {
            Ok(_) => Ok(()),
            Err(RepositoryError::Unavailable(why))
            | Err(RepositoryError::Rejected(why))
            | Err(RepositoryError::Internal(why)) => Err(RepositoryError::Unavailable(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern(" A_b%c\\ "), "%a\\_b\\%c\\\\%");
    }

    #[test]
    fn odd_counts_become_zero() {
        assert_eq!(count(None), 0);
        assert_eq!(count(Some(-3)), 0);
        assert_eq!(count(Some(4)), 4);
    }
}
#[cfg(all(test, feature = "sqlite"))]
mod plan {
    //! The queue page must be driven by the pending index and primary-key lookups: its cost
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
            let base = list_source!()
                .select((
                    ScheduledSessionRow::as_select(),
                    users::email.nullable(),
                    submissions::challenge_id.nullable(),
                    challenges::name.nullable(),
                ))
                .into_boxed::<Sqlite>();
            let filters = SessionQuery::default();
            let pattern: Option<String> = None;
            let mut q = apply_filters!(base, filters, pattern);
            if cursor {
                let at = SqlaTimestamp::from(Utc::now());
                q = after_cursor!(q, at, 1);
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
}
