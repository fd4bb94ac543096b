//! A session's event timeline.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use sensei_core::services::Timeline;
use sensei_core::{EventKind, SessionEvent};

use super::{SessionEntryBody, SessionStatusBody};

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "EventKind", rename_all = "snake_case")]
pub enum EventKindBody {
    /// The student booked it.
    Booked,
    /// An instructor claimed it.
    Claimed,
    /// The holder renewed the claim.
    Renewed,
    /// The holder released it.
    Released,
    /// An instructor completed it.
    Completed,
    /// The student cancelled it.
    Cancelled,
}

impl From<EventKind> for EventKindBody {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Booked => EventKindBody::Booked,
            EventKind::Claimed => EventKindBody::Claimed,
            EventKind::Renewed => EventKindBody::Renewed,
            EventKind::Released => EventKindBody::Released,
            EventKind::Completed => EventKindBody::Completed,
            EventKind::Cancelled => EventKindBody::Cancelled,
        }
    }
}

/// One event of a session's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SessionEvent", skip_serializing_if_is_none)]
pub struct EventBody {
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who (user id); absent when unknown.
    pub actor_id: Option<i32>,
    /// Their email; absent when unknown.
    pub actor_email: Option<String>,
    /// What happened.
    pub kind: EventKindBody,
    /// The state before; absent for a booking.
    pub from_state: Option<SessionStatusBody>,
    /// The state after.
    pub to_state: SessionStatusBody,
    /// A short detail (the claim's expiry, the cancellation reason, ...).
    pub detail: Option<String>,
}

impl From<&SessionEvent> for EventBody {
    fn from(event: &SessionEvent) -> Self {
        Self {
            occurred_at: event.occurred_at,
            actor_id: event.actor.map(|user| user.get()),
            actor_email: event.actor_email.clone(),
            kind: event.kind.into(),
            from_state: event.from_state.map(Into::into),
            to_state: event.to_state.into(),
            detail: event.detail.clone(),
        }
    }
}

/// A session with its events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SessionTimeline")]
pub struct TimelineBody {
    /// The session.
    pub session: SessionEntryBody,
    /// Its events, oldest first (rows the platform wrote before events were kept have none).
    pub events: Vec<EventBody>,
}

impl From<&Timeline> for TimelineBody {
    fn from(timeline: &Timeline) -> Self {
        Self {
            session: SessionEntryBody::at(&timeline.entry, timeline.as_of),
            events: timeline.events.iter().map(Into::into).collect(),
        }
    }
}
