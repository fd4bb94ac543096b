//! What one stream event carries, per viewer ([`sensei_core::Viewer`]): the whole event
//! (`event: session`) or only that the queue moved (`event: queue`), and how it is framed.

use chrono::{DateTime, Utc};
use poem::web::sse::Event;
use poem_openapi::types::ToJSON;
use poem_openapi::Object;
use sensei_core::{FeedEvent, Viewer, Visible};

/// The SSE event name of a whole event.
pub const SESSION_EVENT: &str = "session";

/// The SSE event name of a bare queue tick (another student's session).
pub const QUEUE_EVENT: &str = "queue";

/// One event of the live stream: the audit trail's event id and kind, and, unless it is a
/// queue tick, its session, time, new state and challenge.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "LiveEvent", skip_serializing_if_is_none)]
pub struct LiveEventBody {
    /// The audit trail's event id (also the SSE `id:`, what `Last-Event-ID` resumes after).
    pub id: i64,
    /// What happened: `booked`, `claimed`, `renewed`, `released`, `completed` or `cancelled`.
    #[oai(rename = "type")]
    pub kind: String,
    /// The session (absent on a queue tick).
    pub session_id: Option<i32>,
    /// When it happened, RFC 3339 UTC (absent on a queue tick).
    pub occurred_at: Option<DateTime<Utc>>,
    /// The session's state after it: `pending`, `claimed`, `completed` or `cancelled`
    /// (absent on a queue tick).
    pub to_state: Option<String>,
    /// The challenge of the session's submission (instructors only).
    pub challenge_id: Option<i32>,
    /// Not serialized: this item only moves the client's last event id past events the
    /// viewer does not see (an SSE `id:` line with no data, which browsers do not dispatch).
    #[oai(skip)]
    pub mark_only: bool,
    /// Not serialized: the `data:` already formatted (shared by every stream of the same
    /// kind of viewer: [`super::shared::SharedEvent`]).
    #[oai(skip)]
    pub data: Option<String>,
}

impl LiveEventBody {
    /// What `viewer` receives of `event`, if anything.
    pub fn for_viewer(viewer: &Viewer, event: &FeedEvent) -> Option<Self> {
        let kind = event.event.kind.as_str().to_owned();
        match viewer.sees(event) {
            Visible::Hidden => None,
            Visible::Queue => Some(Self::tick(event.id, kind)),
            Visible::Full => Some(Self {
                id: event.id,
                kind,
                session_id: Some(event.event.session_id.get()),
                occurred_at: Some(event.event.occurred_at),
                to_state: Some(event.event.to_state.as_str().to_owned()),
                // Students know their own session's challenge; the field is for instructors'
                // filters, and a student's page has no use for it.
                challenge_id: matches!(viewer, Viewer::Staff { .. })
                    .then_some(event.challenge_id.get()),
                mark_only: false,
                data: None,
            }),
        }
    }

    fn tick(id: i64, kind: String) -> Self {
        Self {
            id,
            kind,
            session_id: None,
            occurred_at: None,
            to_state: None,
            challenge_id: None,
            mark_only: false,
            data: None,
        }
    }

    /// A marker that moves the client's last event id to `id` and shows nothing.
    pub fn mark(id: i64) -> Self {
        Self {
            mark_only: true,
            ..Self::tick(id, String::new())
        }
    }

    /// The SSE framing: `id:`, `event:` (`session` or `queue`) and the JSON `data:`.
    pub fn to_event(mut self) -> Event {
        if self.mark_only {
            return Event::message("").id(self.id.to_string());
        }
        let name = if self.session_id.is_some() {
            SESSION_EVENT
        } else {
            QUEUE_EVENT
        };
        let id = self.id.to_string();
        let data = match self.data.take() {
            Some(data) => data,
            None => self.data(),
        };
        Event::message(data).id(id).event_type(name)
    }

    /// The JSON `data:` line of this event.
    pub fn data(&self) -> String {
        match self.session_id {
            Some(_) => self.to_json_string(),
            // The tick's data is exactly `{"id":..,"type":..}`.
            None => serde_json::json!({"id": self.id, "type": self.kind}).to_string(),
        }
    }

    /// This event with its `data:` already formatted.
    pub fn with_data(self, data: String) -> Self {
        Self {
            data: Some(data),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sensei_core::{
        Actor, ChallengeId, EventKind, ScheduledSessionId, SessionEvent, SessionState, UserId,
    };

    fn claimed(student: i32) -> FeedEvent {
        FeedEvent {
            id: 124,
            event: SessionEvent {
                session_id: ScheduledSessionId(5),
                occurred_at: DateTime::UNIX_EPOCH,
                actor: Some(UserId(9)),
                actor_email: Some("i@example.com".into()),
                kind: EventKind::Claimed,
                from_state: Some(SessionState::Pending),
                to_state: SessionState::Claimed,
                detail: Some("until 10:00".into()),
            },
            challenge_id: ChallengeId(7),
            student: UserId(student),
        }
    }

    fn frame(body: LiveEventBody) -> String {
        body.to_event().to_string()
    }

    #[test]
    fn an_instructor_gets_the_whole_event_framed_as_session() {
        let viewer = Viewer::of(Actor::instructor(UserId(9)), None);
        let body = LiveEventBody::for_viewer(&viewer, &claimed(4)).unwrap();
        let text = frame(body);
        let data = text
            .strip_prefix("id: 124\nevent: session\ndata: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(data).unwrap(),
            serde_json::json!({"id": 124, "type": "claimed", "session_id": 5,
                "occurred_at": "1970-01-01T00:00:00+00:00", "to_state": "claimed",
                "challenge_id": 7})
        );
    }

    #[test]
    fn another_students_event_is_a_bare_queue_tick() {
        let viewer = Viewer::of(Actor::student(UserId(3)), None);
        let body = LiveEventBody::for_viewer(&viewer, &claimed(4)).unwrap();
        assert_eq!(
            frame(body),
            "id: 124\nevent: queue\ndata: {\"id\":124,\"type\":\"claimed\"}\n\n"
        );
    }

    #[test]
    fn a_students_own_event_has_no_challenge_and_no_actor() {
        let viewer = Viewer::of(Actor::student(UserId(4)), None);
        let text = frame(LiveEventBody::for_viewer(&viewer, &claimed(4)).unwrap());
        assert!(text.starts_with("id: 124\nevent: session\n"), "{text}");
        assert!(
            !text.contains("challenge_id") && !text.contains("example.com"),
            "{text}"
        );
    }

    #[test]
    fn a_filtered_out_event_is_not_sent_and_a_mark_carries_only_the_id() {
        let viewer = Viewer::of(Actor::instructor(UserId(9)), Some(vec![ChallengeId(1)]));
        assert_eq!(LiveEventBody::for_viewer(&viewer, &claimed(4)), None);
        assert_eq!(frame(LiveEventBody::mark(130)), "id: 130\n\n");
    }
}
