//! The body of a webhook: one audit event and the session it happened to. The shape is a
//! contract with receivers (docs/integrations.md): fields may be added, never renamed.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::events::SessionEvent;
use super::ids::{SubmissionId, UserId};

/// What a receiver gets: `{id, type, occurred_at, actor_id, detail, session}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookPayload {
    /// The audit event's id: the same for every attempt, so receivers can drop repeats.
    pub id: i64,
    /// `session.booked`, `session.claimed`, `session.renewed`, `session.released`,
    /// `session.completed` or `session.cancelled`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change happened (UTC, RFC 3339).
    pub occurred_at: DateTime<Utc>,
    /// Who made the change (a user id), when known.
    pub actor_id: Option<i32>,
    /// The event's short detail (a claim's expiry, a cancellation reason, ...).
    pub detail: Option<String>,
    /// The session as the change left it.
    pub session: SessionSnapshot,
}

/// The session in a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSnapshot {
    /// The session's id.
    pub id: i32,
    /// Its submission (absent when the platform has since deleted the session).
    pub submission_id: Option<i32>,
    /// The student who booked it (absent likewise).
    pub student_id: Option<i32>,
    /// When it was booked (absent likewise).
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The state the change left it in: `pending`, `claimed`, `completed` or `cancelled`.
    pub state: &'static str,
    /// The state before (absent for a booking).
    pub previous_state: Option<&'static str>,
}

/// The session's lasting facts, as stored next to the event (absent when its row is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    /// Its submission.
    pub submission_id: SubmissionId,
    /// The student.
    pub student_id: UserId,
    /// When it was booked.
    pub scheduled_at: DateTime<Utc>,
}

impl WebhookPayload {
    /// The payload of event `event_id`.
    pub fn of(event_id: i64, event: &SessionEvent, facts: Option<SessionFacts>) -> Self {
        WebhookPayload {
            id: event_id,
            event_type: format!("session.{}", event.kind.as_str()),
            occurred_at: event.occurred_at,
            actor_id: event.actor.map(UserId::get),
            detail: event.detail.clone(),
            session: SessionSnapshot {
                id: event.session_id.get(),
                submission_id: facts.map(|facts| facts.submission_id.get()),
                student_id: facts.map(|facts| facts.student_id.get()),
                scheduled_at: facts.map(|facts| facts.scheduled_at),
                state: event.to_state.as_str(),
                previous_state: event.from_state.map(|state| state.as_str()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{EventKind, ScheduledSessionId, SessionState};

    #[test]
    fn a_claim_becomes_a_session_claimed_payload() {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let event = SessionEvent {
            session_id: ScheduledSessionId(5),
            occurred_at: at,
            actor: Some(UserId(9)),
            actor_email: Some("i@example.com".into()),
            kind: EventKind::Claimed,
            from_state: Some(SessionState::Pending),
            to_state: SessionState::Claimed,
            detail: Some("until 2026-11-28 10:30 UTC".into()),
        };
        let facts = SessionFacts {
            submission_id: SubmissionId(2),
            student_id: UserId(3),
            scheduled_at: at,
        };
        let payload = WebhookPayload::of(77, &event, Some(facts));
        assert_eq!(payload.event_type, "session.claimed");
        assert_eq!(payload.id, 77);
        assert_eq!(payload.session.previous_state, Some("pending"));
        assert_eq!(payload.session.state, "claimed");
        assert_eq!(payload.session.student_id, Some(3));
        let gone = WebhookPayload::of(77, &event, None);
        assert_eq!(gone.session.submission_id, None);
        assert_eq!(gone.session.id, 5);
    }
}
