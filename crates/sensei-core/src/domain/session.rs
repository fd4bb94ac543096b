//! The scheduled sensei session and its lifecycle: pending → claimed (by one instructor,
//! until an expiry) → completed; pending or claimed → cancelled (by the owning student).
//! Completed and cancelled are final. A claim whose expiry has passed counts as pending for
//! everyone, so no background job is needed.

use chrono::{DateTime, Utc};

use super::cancel::CancelReason;
use super::engagement::EngagementSnapshot;
use super::ids::{ScheduledSessionId, SubmissionId, UserId};
use super::notes::Notes;
use super::reason::{EligibilityReason, RecordedReason};

/// When and how a session was completed: the time, who, and both notes travel together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// When the instructor marked the session completed (UTC).
    pub completed_at: DateTime<Utc>,
    /// Who completed it; `None` on rows the platform wrote before this was recorded.
    pub completed_by: Option<UserId>,
    /// The instructors' private notes (the seed's `notes` column), if any.
    pub notes: Option<Notes>,
    /// Notes for the student, shown on their own pages, if any.
    pub student_notes: Option<Notes>,
}

/// An instructor's hold on a session, until an expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    /// The instructor holding it.
    pub holder: UserId,
    /// When the hold lapses.
    pub expires_at: DateTime<Utc>,
}

impl Claim {
    /// Whether the claim still holds at `now`: strictly before its expiry. At the expiry
    /// instant itself the session is pending again.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use sensei_core::{Claim, UserId};
    /// let expires_at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 30, 0).unwrap();
    /// let claim = Claim { holder: UserId(1), expires_at };
    /// assert!(claim.is_live_at(expires_at - Duration::seconds(1)));
    /// assert!(!claim.is_live_at(expires_at));
    /// ```
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }
}

/// When and why the student withdrew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// When (UTC).
    pub cancelled_at: DateTime<Utc>,
    /// The student's reason, if they gave one.
    pub reason: Option<CancelReason>,
}

/// Where a session is in its life, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionLifecycle {
    /// Waiting in the instructors' queue.
    Pending,
    /// Held by an instructor until the claim's expiry (after it, pending again).
    Claimed(Claim),
    /// Done.
    Completed(Completion),
    /// Withdrawn by the student.
    Cancelled(Cancellation),
}

/// The state a session is in at a given instant, for people and for the rules: a claim that
/// has expired reads as pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    /// Waiting for an instructor.
    Pending,
    /// Held by an instructor.
    Claimed,
    /// Done.
    Completed,
    /// Withdrawn by the student.
    Cancelled,
}

impl SessionState {
    /// The stored and API form: `pending`, `claimed`, `completed`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Pending => "pending",
            SessionState::Claimed => "claimed",
            SessionState::Completed => "completed",
            SessionState::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<SessionState> {
        match raw.trim() {
            "pending" => Some(SessionState::Pending),
            "claimed" => Some(SessionState::Claimed),
            "completed" => Some(SessionState::Completed),
            "cancelled" => Some(SessionState::Cancelled),
            _ => None,
        }
    }

    /// Whether the session is still open (pending or claimed).
    pub fn is_open(self) -> bool {
        matches!(self, SessionState::Pending | SessionState::Claimed)
    }
}

/// A recorded request for a sensei session (one row of `scheduled_sessions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledSession {
    /// The session's id.
    pub id: ScheduledSessionId,
    /// The submission it is about.
    pub submission_id: SubmissionId,
    /// The student who asked.
    pub user_id: UserId,
    /// Why the student was eligible.
    pub reason: RecordedReason,
    /// The student's engagement when they booked.
    pub engagement: EngagementSnapshot,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Pending, claimed, completed or cancelled, as stored.
    pub lifecycle: SessionLifecycle,
}

impl ScheduledSession {
    /// Whether the session is still open: neither completed nor cancelled (it may be claimed).
    pub fn is_open(&self) -> bool {
        matches!(
            self.lifecycle,
            SessionLifecycle::Pending | SessionLifecycle::Claimed(_)
        )
    }

    /// The state at `now`: a claim past its expiry reads as pending.
    pub fn state_at(&self, now: DateTime<Utc>) -> SessionState {
        match &self.lifecycle {
            SessionLifecycle::Pending => SessionState::Pending,
            SessionLifecycle::Claimed(claim) if claim.is_live_at(now) => SessionState::Claimed,
            SessionLifecycle::Claimed(_) => SessionState::Pending,
            SessionLifecycle::Completed(_) => SessionState::Completed,
            SessionLifecycle::Cancelled(_) => SessionState::Cancelled,
        }
    }

    /// The claim that holds at `now`, if any.
    pub fn live_claim_at(&self, now: DateTime<Utc>) -> Option<&Claim> {
        match &self.lifecycle {
            SessionLifecycle::Claimed(claim) if claim.is_live_at(now) => Some(claim),
            _ => None,
        }
    }

    /// The completion, when completed.
    pub fn completion(&self) -> Option<&Completion> {
        match &self.lifecycle {
            SessionLifecycle::Completed(completion) => Some(completion),
            _ => None,
        }
    }

    /// The cancellation, when cancelled.
    pub fn cancellation(&self) -> Option<&Cancellation> {
        match &self.lifecycle {
            SessionLifecycle::Cancelled(cancellation) => Some(cancellation),
            _ => None,
        }
    }
}

/// A session to record: always pending, always with a known reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScheduledSession {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The student.
    pub user_id: UserId,
    /// Why they are eligible.
    pub reason: EligibilityReason,
    /// Their engagement now.
    pub engagement: EngagementSnapshot,
    /// Now (UTC).
    pub scheduled_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn session(lifecycle: SessionLifecycle) -> ScheduledSession {
        ScheduledSession {
            id: ScheduledSessionId(1),
            submission_id: SubmissionId(2),
            user_id: UserId(3),
            reason: RecordedReason::Missing,
            engagement: EngagementSnapshot {
                goals_passed: 0,
                goals_engaged: 0,
                total_goals: 0,
            },
            scheduled_at: now() - Duration::hours(1),
            lifecycle,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_claim_holds_until_its_expiry_and_reads_as_pending_from_that_instant() {
        let claimed = session(SessionLifecycle::Claimed(Claim {
            holder: UserId(9),
            expires_at: now(),
        }));
        assert_eq!(
            claimed.state_at(now() - Duration::seconds(1)),
            SessionState::Claimed
        );
        assert_eq!(claimed.state_at(now()), SessionState::Pending);
        assert!(claimed.live_claim_at(now()).is_none());
        assert!(claimed.is_open());
    }

    #[test]
    fn completed_and_cancelled_are_final_and_closed() {
        let cancelled = session(SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: now(),
            reason: None,
        }));
        assert_eq!(cancelled.state_at(now()), SessionState::Cancelled);
        assert!(!cancelled.is_open());
        assert!(!SessionState::Completed.is_open());
        for state in [
            SessionState::Pending,
            SessionState::Claimed,
            SessionState::Completed,
            SessionState::Cancelled,
        ] {
            assert_eq!(SessionState::parse(state.as_str()), Some(state));
        }
    }
}
