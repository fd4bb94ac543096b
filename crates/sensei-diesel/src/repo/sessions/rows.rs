//! The stored form of a scheduled session: the row, its lifecycle columns, and the
//! conversions to and from the domain's types. Rows the platform wrote without the workflow's
//! columns read as pending or completed.

use diesel::prelude::*;
use sensei_core::{
    CancelReason, Cancellation, ChallengeId, Claim, Completion, EngagementSnapshot,
    NewScheduledSession, Notes, RecordedReason, ScheduledSession, ScheduledSessionId,
    SessionLifecycle, SessionListEntry, SubmissionId, UserId,
};

use crate::schema::scheduled_sessions;
use crate::timestamp::SqlaTimestamp;

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
    claimed_by: Option<i32>,
    claim_expires_at: Option<SqlaTimestamp>,
    completed_by: Option<i32>,
    student_notes: Option<String>,
    cancelled_at: Option<SqlaTimestamp>,
    cancel_reason: Option<String>,
}

/// A session to insert: pending, with the seed's columns.
#[derive(Insertable)]
#[diesel(table_name = scheduled_sessions)]
pub(crate) struct NewScheduledSessionRow {
    pub(crate) submission_id: i32,
    pub(crate) user_id: i32,
    pub(crate) eligibility_reason: Option<String>,
    pub(crate) goals_passed: Option<i32>,
    pub(crate) goals_engaged: Option<i32>,
    pub(crate) total_goals: Option<i32>,
    pub(crate) scheduled_at: SqlaTimestamp,
}

impl From<&NewScheduledSession> for NewScheduledSessionRow {
    fn from(new: &NewScheduledSession) -> Self {
        NewScheduledSessionRow {
            submission_id: new.submission_id.get(),
            user_id: new.user_id.get(),
            eligibility_reason: Some(new.reason.as_str().to_owned()),
            goals_passed: stored_count(new.engagement.goals_passed),
            goals_engaged: stored_count(new.engagement.goals_engaged),
            total_goals: stored_count(new.engagement.total_goals),
            scheduled_at: SqlaTimestamp::from(new.scheduled_at),
        }
    }
}

impl NewScheduledSessionRow {
    /// The session this row is once inserted under `id` (every other column NULL: pending).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn inserted_as(&self, id: i32) -> ScheduledSession {
        ScheduledSessionRow {
            id,
            submission_id: self.submission_id,
            user_id: self.user_id,
            eligibility_reason: self.eligibility_reason.clone(),
            goals_passed: self.goals_passed,
            goals_engaged: self.goals_engaged,
            total_goals: self.total_goals,
            scheduled_at: self.scheduled_at,
            session_completed_at: None,
            notes: None,
            claimed_by: None,
            claim_expires_at: None,
            completed_by: None,
            student_notes: None,
            cancelled_at: None,
            cancel_reason: None,
        }
        .into()
    }
}

/// The lifecycle columns, all written together, so a transition leaves no column of the
/// previous state behind (`None` is written as NULL).
#[derive(AsChangeset)]
#[diesel(table_name = scheduled_sessions, treat_none_as_null = true)]
pub(crate) struct LifecycleColumns {
    claimed_by: Option<i32>,
    claim_expires_at: Option<SqlaTimestamp>,
    session_completed_at: Option<SqlaTimestamp>,
    completed_by: Option<i32>,
    notes: Option<String>,
    student_notes: Option<String>,
    cancelled_at: Option<SqlaTimestamp>,
    cancel_reason: Option<String>,
}

impl From<&SessionLifecycle> for LifecycleColumns {
    fn from(lifecycle: &SessionLifecycle) -> Self {
        let mut columns = LifecycleColumns {
            claimed_by: None,
            claim_expires_at: None,
            session_completed_at: None,
            completed_by: None,
            notes: None,
            student_notes: None,
            cancelled_at: None,
            cancel_reason: None,
        };
        match lifecycle {
            SessionLifecycle::Pending => {}
            SessionLifecycle::Claimed(claim) => {
                columns.claimed_by = Some(claim.holder.get());
                columns.claim_expires_at = Some(SqlaTimestamp::from(claim.expires_at));
            }
            SessionLifecycle::Completed(completion) => {
                columns.session_completed_at = Some(SqlaTimestamp::from(completion.completed_at));
                columns.completed_by = completion.completed_by.map(UserId::get);
                columns.notes = completion.notes.clone().map(Notes::into_inner);
                columns.student_notes = completion.student_notes.clone().map(Notes::into_inner);
            }
            SessionLifecycle::Cancelled(cancellation) => {
                columns.cancelled_at = Some(SqlaTimestamp::from(cancellation.cancelled_at));
                columns.cancel_reason = cancellation
                    .reason
                    .as_ref()
                    .map(|reason| reason.as_str().to_owned());
            }
        }
        columns
    }
}

/// A stored count; NULL or negative is 0.
pub(crate) fn count(raw: Option<i32>) -> u32 {
    raw.and_then(|value| u32::try_from(value).ok()).unwrap_or(0)
}

fn stored_count(value: u32) -> Option<i32> {
    Some(i32::try_from(value).unwrap_or(i32::MAX))
}

impl ScheduledSessionRow {
    /// The lifecycle the row's columns describe: completed wins over cancelled over claimed
    /// (a row the platform completed keeps reading as completed whatever else it holds).
    fn lifecycle(&self) -> SessionLifecycle {
        if let Some(at) = self.session_completed_at {
            return SessionLifecycle::Completed(Completion {
                completed_at: at.utc(),
                completed_by: self.completed_by.map(UserId),
                notes: self.notes.clone().and_then(Notes::from_stored),
                student_notes: self.student_notes.clone().and_then(Notes::from_stored),
            });
        }
        if let Some(at) = self.cancelled_at {
            return SessionLifecycle::Cancelled(Cancellation {
                cancelled_at: at.utc(),
                reason: self
                    .cancel_reason
                    .clone()
                    .and_then(CancelReason::from_stored),
            });
        }
        match (self.claimed_by, self.claim_expires_at) {
            (Some(holder), Some(expires_at)) => SessionLifecycle::Claimed(Claim {
                holder: UserId(holder),
                expires_at: expires_at.utc(),
            }),
            _ => SessionLifecycle::Pending,
        }
    }
}

impl From<ScheduledSessionRow> for ScheduledSession {
    fn from(row: ScheduledSessionRow) -> Self {
        let lifecycle = row.lifecycle();
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

/// A list row: the session, its student's email, its challenge, its holder's email.
pub(crate) type QueueRow = (
    ScheduledSessionRow,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
);

/// A list row as the domain's entry.
pub(crate) fn entry(row: QueueRow) -> SessionListEntry {
    let (session, email, challenge_id, challenge_name, holder_email) = row;
    SessionListEntry {
        session: session.into(),
        student_email: email.unwrap_or_default(),
        challenge_id: ChallengeId(challenge_id.unwrap_or_default()),
        challenge_name: challenge_name.unwrap_or_default(),
        holder_email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_counts_become_zero() {
        assert_eq!(count(None), 0);
        assert_eq!(count(Some(-3)), 0);
        assert_eq!(count(Some(4)), 4);
    }
}
