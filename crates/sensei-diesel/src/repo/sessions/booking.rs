//! Create-unless-recent, per backend: the dedup check, the open-session count, the insert and
//! its audit event as one atomic step.
//!
//! * SQLite: an immediate transaction on the database's writer thread (statements cost no
//!   round trip in the process);
//! * PostgreSQL: one call of `sensei_book_session` (migration
//!   `2024-01-07-000000_booking_in_one_statement`), which takes the student's advisory lock
//!   and does the same steps server-side: one round trip instead of seven (BEGIN, lock, check,
//!   count, insert, event, COMMIT), and the counter row's lock (taken by the insert's trigger)
//!   is held until a commit that follows at once instead of two round trips later.
//!
//! The same adapter tests (dedup window edges, cancelled sessions, the open-session limit,
//! concurrent bookings) run against both.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::CreateOutcome;
use sensei_core::{EventKind, NewScheduledSession, NewSessionEvent, UserId};

use super::rows::{NewScheduledSessionRow, ScheduledSessionRow};
use super::small;
use crate::error::Fail;
use crate::timestamp::SqlaTimestamp;

/// One booking's values, ready for either backend.
pub(super) struct BookingWrite {
    row: NewScheduledSessionRow,
    window: SqlaTimestamp,
    max_open: u32,
    student: UserId,
    booked_at: DateTime<Utc>,
}

impl BookingWrite {
    /// The write for `new`, deduplicated against sessions booked after `window_start`, under
    /// the limit of `max_open` open sessions.
    pub(super) fn new(
        new: &NewScheduledSession,
        window_start: DateTime<Utc>,
        max_open: u32,
    ) -> Self {
        Self {
            row: NewScheduledSessionRow::from(new),
            window: SqlaTimestamp::from(window_start),
            max_open,
            student: new.user_id,
            booked_at: new.scheduled_at,
        }
    }

    /// The audit event of the session once created as `session`.
    fn booked_event(&self, session: &sensei_core::ScheduledSession) -> NewSessionEvent {
        NewSessionEvent::transition(
            EventKind::Booked,
            None,
            session,
            Some(self.student),
            self.booked_at,
        )
    }
}

/// SQLite: an immediate transaction (run it on the writer thread, `with_write_conn!`).
#[cfg(feature = "sqlite")]
pub(super) fn book_sqlite(
    conn: &mut diesel::sqlite::SqliteConnection,
    write: BookingWrite,
) -> Result<CreateOutcome, Fail> {
    use super::events::NewEventRow;
    use crate::db::WriteConn;
    use crate::schema::{scheduled_session_events, scheduled_sessions};

    conn.write_transaction(|conn| {
        let row = &write.row;
        let existing = scheduled_sessions::table
            .filter(scheduled_sessions::user_id.eq(row.user_id))
            .filter(scheduled_sessions::submission_id.eq(row.submission_id))
            .filter(scheduled_sessions::scheduled_at.gt(write.window))
            .filter(scheduled_sessions::cancelled_at.is_null())
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
        let open: i64 = scheduled_sessions::table
            .filter(scheduled_sessions::user_id.eq(row.user_id))
            .filter(scheduled_sessions::session_completed_at.is_null())
            .filter(scheduled_sessions::cancelled_at.is_null())
            .count()
            .get_result(conn)?;
        if small(open) >= write.max_open {
            return Ok(CreateOutcome::TooManyOpen { open: small(open) });
        }
        let created: sensei_core::ScheduledSession = diesel::insert_into(scheduled_sessions::table)
            .values(row)
            .returning(ScheduledSessionRow::as_returning())
            .get_result(conn)?
            .into();
        diesel::insert_into(scheduled_session_events::table)
            .values(NewEventRow::from(&write.booked_event(&created)))
            .execute(conn)?;
        Ok(CreateOutcome::Created(created))
    })
}

/// What `sensei_book_session` answers.
#[cfg(feature = "postgres")]
#[derive(QueryableByName)]
struct BookedRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    outcome: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    open_count: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    booked_id: Option<i32>,
}

/// PostgreSQL: one call of `sensei_book_session` (in its own transaction), and for a
/// duplicate one read of the session found.
#[cfg(feature = "postgres")]
pub(super) fn book_postgres(
    conn: &mut diesel::pg::PgConnection,
    write: BookingWrite,
) -> Result<CreateOutcome, Fail> {
    use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp, VarChar};
    use sensei_core::{RepositoryError, SessionState};

    use crate::db::{cached, UserLock};
    use crate::schema::scheduled_sessions;

    // The event's fields are the core's (`NewSessionEvent::transition`), worked out from
    // the session the row becomes; its id is the one the insert gives.
    let prospective = write.row.inserted_as(0);
    let event = write.booked_event(&prospective);
    let row = &write.row;
    let booked: BookedRow = cached(
        diesel::sql_query(
            "SELECT outcome, open_count, booked_id FROM sensei_book_session(\
             $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind::<BigInt, _>(UserLock::Bookings.key(row.user_id))
        .bind::<Integer, _>(row.submission_id)
        .bind::<Integer, _>(row.user_id)
        .bind::<Nullable<VarChar>, _>(row.eligibility_reason.clone())
        .bind::<Nullable<Integer>, _>(row.goals_passed)
        .bind::<Nullable<Integer>, _>(row.goals_engaged)
        .bind::<Nullable<Integer>, _>(row.total_goals)
        .bind::<Timestamp, _>(row.scheduled_at)
        .bind::<Timestamp, _>(write.window)
        .bind::<BigInt, _>(i64::from(write.max_open))
        .bind::<VarChar, _>(event.kind.as_str())
        .bind::<Nullable<VarChar>, _>(event.from_state.map(SessionState::as_str))
        .bind::<VarChar, _>(event.to_state.as_str())
        .bind::<Nullable<Text>, _>(event.detail.clone()),
    )
    .get_result(conn)?;
    match (booked.outcome.as_str(), booked.booked_id) {
        ("created", Some(id)) => Ok(CreateOutcome::Created(write.row.inserted_as(id))),
        ("existing", Some(id)) => {
            let existing = scheduled_sessions::table
                .find(id)
                .select(ScheduledSessionRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    RepositoryError::Internal(format!(
                        "the session {id} found as a duplicate has vanished"
                    ))
                })?;
            Ok(CreateOutcome::Existing(existing.into()))
        }
        ("too_many", _) => Ok(CreateOutcome::TooManyOpen {
            open: small(booked.open_count.unwrap_or(0)),
        }),
        (other, id) => Err(RepositoryError::Internal(format!(
            "sensei_book_session answered {other:?} with session {id:?}"
        ))
        .into()),
    }
}
