//! The audit trail: every state change of a session appends one event (who, when, what,
//! from which state to which), written in the same transaction as the change and never
//! updated or deleted.

use chrono::{DateTime, Utc};

use super::ids::{ScheduledSessionId, UserId};
use super::session::{ScheduledSession, SessionState};

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The student booked it.
    Booked,
    /// An instructor claimed it.
    Claimed,
    /// The holder extended the claim.
    Renewed,
    /// The holder gave it back to the queue.
    Released,
    /// An instructor completed it.
    Completed,
    /// The student cancelled it.
    Cancelled,
}

impl EventKind {
    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Booked => "booked",
            EventKind::Claimed => "claimed",
            EventKind::Renewed => "renewed",
            EventKind::Released => "released",
            EventKind::Completed => "completed",
            EventKind::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<EventKind> {
        [
            EventKind::Booked,
            EventKind::Claimed,
            EventKind::Renewed,
            EventKind::Released,
            EventKind::Completed,
            EventKind::Cancelled,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw.trim())
    }
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEvent {
    /// The session.
    pub session_id: ScheduledSessionId,
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who did it (`None` when the platform did it without a known user).
    pub actor: Option<UserId>,
    /// The actor's email, when known.
    pub actor_email: Option<String>,
    /// What happened.
    pub kind: EventKind,
    /// The state before (`None` for a booking).
    pub from_state: Option<SessionState>,
    /// The state after.
    pub to_state: SessionState,
    /// A short detail (the claim's expiry, the cancellation reason, ...).
    pub detail: Option<String>,
}

/// An event to append, built by the rules below; adapters store it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionEvent {
    /// The session.
    pub session_id: ScheduledSessionId,
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who did it.
    pub actor: Option<UserId>,
    /// What happened.
    pub kind: EventKind,
    /// The state before.
    pub from_state: Option<SessionState>,
    /// The state after.
    pub to_state: SessionState,
    /// A short detail.
    pub detail: Option<String>,
}

impl NewSessionEvent {
    /// The event of a transition: `before` is the session as it was (`None` for a booking),
    /// `after` as it is now, both read at `at`.
    pub fn transition(
        kind: EventKind,
        before: Option<&ScheduledSession>,
        after: &ScheduledSession,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> NewSessionEvent {
        let detail = match kind {
            EventKind::Claimed | EventKind::Renewed => after
                .live_claim_at(at)
                .map(|claim| format!("until {}", claim.expires_at.format("%Y-%m-%d %H:%M UTC"))),
            EventKind::Cancelled => after
                .cancellation()
                .and_then(|cancellation| cancellation.reason.as_ref())
                .map(|reason| reason.as_str().to_owned()),
            EventKind::Completed => after.completion().map(|completion| {
                match (&completion.notes, &completion.student_notes) {
                    (None, None) => "without notes",
                    (Some(_), None) => "with private notes",
                    (None, Some(_)) => "with notes for the student",
                    (Some(_), Some(_)) => "with private notes and notes for the student",
                }
                .to_owned()
            }),
            EventKind::Booked | EventKind::Released => None,
        };
        NewSessionEvent {
            session_id: after.id,
            occurred_at: at,
            actor,
            kind,
            from_state: before.map(|before| before.state_at(at)),
            to_state: after.state_at(at),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::{
        Claim, EngagementSnapshot, RecordedReason, SessionLifecycle, SubmissionId,
    };

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
    }

    fn session(lifecycle: SessionLifecycle) -> ScheduledSession {
        ScheduledSession {
            id: ScheduledSessionId(5),
            submission_id: SubmissionId(2),
            user_id: UserId(3),
            reason: RecordedReason::Missing,
            engagement: EngagementSnapshot {
                goals_passed: 0,
                goals_engaged: 0,
                total_goals: 0,
            },
            scheduled_at: at(),
            lifecycle,
        }
    }

    #[test]
    fn a_claim_of_an_expired_claim_is_recorded_as_from_pending() {
        let before = session(SessionLifecycle::Claimed(Claim {
            holder: UserId(8),
            expires_at: at(),
        }));
        let after = session(SessionLifecycle::Claimed(Claim {
            holder: UserId(9),
            expires_at: at() + Duration::minutes(30),
        }));
        let event = NewSessionEvent::transition(
            EventKind::Claimed,
            Some(&before),
            &after,
            Some(UserId(9)),
            at(),
        );
        assert_eq!(event.from_state, Some(SessionState::Pending));
        assert_eq!(event.to_state, SessionState::Claimed);
        assert_eq!(event.detail.as_deref(), Some("until 2026-11-28 10:30 UTC"));
        assert_eq!(EventKind::parse("claimed"), Some(EventKind::Claimed));
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn a_booking_has_no_state_before() {
        let after = session(SessionLifecycle::Pending);
        let event =
            NewSessionEvent::transition(EventKind::Booked, None, &after, Some(UserId(3)), at());
        assert_eq!(event.from_state, None);
        assert_eq!(event.to_state, SessionState::Pending);
    }
}
