//! An event as the hub hands it to every stream: the event, and its JSON for each kind of
//! viewer, formatted by the first stream that needs it and reused by all the others (with
//! 1,000 streams open, formatting once instead of 1,000 times is most of a booking's
//! fan-out).

use std::sync::OnceLock;

use sensei_core::FeedEvent;

use super::body::LiveEventBody;

/// One published event with its formatted data, shared by every stream.
#[derive(Debug)]
pub struct SharedEvent {
    /// The event.
    pub event: FeedEvent,
    /// The JSON instructors get (whole, with the challenge).
    staff: OnceLock<String>,
    /// The JSON its own student gets (whole, without the challenge).
    own: OnceLock<String>,
    /// The JSON other students get (a bare queue tick).
    tick: OnceLock<String>,
}

impl SharedEvent {
    /// An event not formatted yet.
    pub fn new(event: FeedEvent) -> Self {
        SharedEvent {
            event,
            staff: OnceLock::new(),
            own: OnceLock::new(),
            tick: OnceLock::new(),
        }
    }

    /// `body` (what one viewer gets of this event) with its data formatted once for every
    /// viewer of the same kind.
    pub fn prepared(&self, body: LiveEventBody) -> LiveEventBody {
        let slot = match (body.session_id, body.challenge_id) {
            (None, _) => &self.tick,
            (Some(_), Some(_)) => &self.staff,
            (Some(_), None) => &self.own,
        };
        let data = slot.get_or_init(|| body.data());
        body.with_data(data.clone())
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use sensei_core::{
        Actor, ChallengeId, EventKind, ScheduledSessionId, SessionEvent, SessionState, UserId,
        Viewer,
    };

    use super::*;

    fn booked() -> FeedEvent {
        FeedEvent {
            id: 41,
            event: SessionEvent {
                session_id: ScheduledSessionId(5),
                occurred_at: DateTime::UNIX_EPOCH,
                actor: Some(UserId(3)),
                actor_email: None,
                kind: EventKind::Booked,
                from_state: None,
                to_state: SessionState::Pending,
                detail: None,
            },
            challenge_id: ChallengeId(7),
            student: UserId(3),
        }
    }

    #[test]
    fn every_kind_of_viewer_gets_the_same_data_as_if_formatted_alone() {
        let shared = SharedEvent::new(booked());
        let viewers = [
            Viewer::of(Actor::instructor(UserId(1)), None),
            Viewer::of(Actor::student(UserId(3)), None),
            Viewer::of(Actor::student(UserId(4)), None),
        ];
        for viewer in &viewers {
            for _ in 0..2 {
                let alone = LiveEventBody::for_viewer(viewer, &shared.event).unwrap();
                let expected = alone.data();
                let prepared = shared.prepared(alone);
                assert_eq!(
                    prepared.data.as_deref(),
                    Some(expected.as_str()),
                    "{viewer:?}"
                );
            }
        }
        // Three kinds of viewer, three formats kept, each different.
        let kept: Vec<_> = [&shared.staff, &shared.own, &shared.tick]
            .iter()
            .map(|slot| slot.get().cloned().unwrap())
            .collect();
        assert_ne!(kept[0], kept[1]);
        assert_ne!(kept[1], kept[2]);
        assert!(kept[2].starts_with("{\"id\":41"), "{}", kept[2]);
    }
}
