//! `scheduled_session_events`: the append-only audit trail, written in the transaction of
//! each change and read back as a session's timeline.

use diesel::prelude::*;
use sensei_core::{
    EventKind, NewSessionEvent, RepositoryError, ScheduledSessionId, SessionEvent, SessionState,
    UserId,
};

use crate::schema::scheduled_session_events as events;
use crate::timestamp::SqlaTimestamp;

/// An event to insert.
#[derive(Insertable)]
#[diesel(table_name = events)]
pub(crate) struct NewEventRow {
    session_id: i32,
    occurred_at: SqlaTimestamp,
    actor_id: Option<i32>,
    kind: &'static str,
    from_state: Option<&'static str>,
    to_state: &'static str,
    detail: Option<String>,
}

impl From<&NewSessionEvent> for NewEventRow {
    fn from(event: &NewSessionEvent) -> Self {
        NewEventRow {
            session_id: event.session_id.get(),
            occurred_at: SqlaTimestamp::from(event.occurred_at),
            actor_id: event.actor.map(UserId::get),
            kind: event.kind.as_str(),
            from_state: event.from_state.map(SessionState::as_str),
            to_state: event.to_state.as_str(),
            detail: event.detail.clone(),
        }
    }
}

/// A stored event with its actor's email.
pub(crate) type EventRow = (
    i32,
    SqlaTimestamp,
    Option<i32>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// A stored event as the domain's; a kind or state this version does not know is corrupt
/// data (only this adapter writes events).
pub(crate) fn event(row: EventRow) -> Result<SessionEvent, RepositoryError> {
    let (session_id, occurred_at, actor, kind, from_state, to_state, detail, actor_email) = row;
    let unknown = |what: &str, value: &str| {
        RepositoryError::Internal(format!(
            "scheduled session {session_id} has an event with an unknown {what} {value:?}"
        ))
    };
    Ok(SessionEvent {
        session_id: ScheduledSessionId(session_id),
        occurred_at: occurred_at.utc(),
        actor: actor.map(UserId),
        actor_email,
        kind: EventKind::parse(&kind).ok_or_else(|| unknown("kind", &kind))?,
        from_state: match from_state {
            Some(raw) => Some(SessionState::parse(&raw).ok_or_else(|| unknown("state", &raw))?),
            None => None,
        },
        to_state: SessionState::parse(&to_state).ok_or_else(|| unknown("state", &to_state))?,
        detail,
    })
}
