//! The live stream's rules: the audit trail's events delivered in id order although ids may
//! commit out of order ([`FeedCursor`]), what each viewer may see of an event ([`Viewer`]),
//! and how many streams may be open at once ([`admit_stream`]). Pure: the adapters read the
//! events, wake on commits and write the bytes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::actor::Actor;
use super::events::SessionEvent;
use super::ids::{ChallengeId, UserId};

/// One event of the audit trail as the live stream carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// The audit trail's id: the stream's event id, what `Last-Event-ID` resumes after.
    pub id: i64,
    /// The event itself.
    pub event: SessionEvent,
    /// The challenge of the session's submission (instructors filter on it).
    pub challenge_id: ChallengeId,
    /// The student whose session it is (who sees it in full).
    pub student: UserId,
}

/// How long an id may stay missing before the events behind it are delivered without it.
/// On PostgreSQL a transaction takes its id at insert and commits later, so a lower id can
/// appear after a higher one; a transaction that rolls back leaves its id missing for ever.
/// Longer than any booking's transaction, short enough to keep the 1 s delivery goal in the
/// rare case of a rollback.
pub const GAP_PATIENCE: Duration = Duration::from_millis(1500);

/// Delivers events in id order, once each, from reads that may see ids out of order.
///
/// Every id up to [`FeedCursor::position`] is delivered (or given up); events above a missing
/// id are held until it appears or until the first of them has waited [`GAP_PATIENCE`].
/// Readers read again from the position, so a late commit below a held event is found.
#[derive(Debug, Clone)]
pub struct FeedCursor {
    delivered: i64,
    held: BTreeMap<i64, (FeedEvent, Instant)>,
    patience: Duration,
}

impl FeedCursor {
    /// A cursor that has delivered everything up to `id` (the latest id when it starts).
    pub fn starting_after(id: i64) -> Self {
        Self::with_patience(id, GAP_PATIENCE)
    }

    /// As [`FeedCursor::starting_after`], with another patience (tests, embedders).
    pub fn with_patience(id: i64, patience: Duration) -> Self {
        Self {
            delivered: id,
            held: BTreeMap::new(),
            patience,
        }
    }

    /// Every id up to this one is delivered or given up: read the feed after it.
    pub fn position(&self) -> i64 {
        self.delivered
    }

    /// Whether events wait behind a missing id (then read again soon, even without a
    /// wake-up, so the gap is given up in time).
    pub fn is_holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// Takes `events` read at `now` and returns those now deliverable, lowest id first.
    /// Ids already delivered or already held are dropped (reads overlap).
    pub fn offer(&mut self, events: Vec<FeedEvent>, now: Instant) -> Vec<FeedEvent> {
        for event in events {
            if event.id > self.delivered {
                self.held.entry(event.id).or_insert((event, now));
            }
        }
        let mut ready = Vec::new();
        while let Some(entry) = self.held.first_entry() {
            let contiguous = *entry.key() == self.delivered.saturating_add(1);
            let waited = now.saturating_duration_since(entry.get().1) >= self.patience;
            if !(contiguous || waited) {
                break;
            }
            let (id, (event, _)) = entry.remove_entry();
            self.delivered = id;
            ready.push(event);
        }
        ready
    }
}

/// Who watches a stream, and so what they may see of each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// An instructor or admin: every event in full, of these challenges only when given.
    Staff {
        /// The challenges to show (`None`: all). The "my challenges" default fills this.
        challenges: Option<Vec<ChallengeId>>,
    },
    /// A student: their own sessions' events in full, others' as bare queue ticks.
    Student(UserId),
}

impl Viewer {
    /// The viewer `actor` is, with the challenge filter asked for (students have none: they
    /// see the whole queue move, without detail).
    pub fn of(actor: Actor, challenges: Option<Vec<ChallengeId>>) -> Self {
        if actor.is_instructor() {
            Viewer::Staff { challenges }
        } else {
            Viewer::Student(actor.user_id)
        }
    }

    /// What this viewer sees of `event`.
    pub fn sees(&self, event: &FeedEvent) -> Visible {
        match self {
            Viewer::Staff { challenges: None } => Visible::Full,
            Viewer::Staff {
                challenges: Some(chosen),
            } if chosen.contains(&event.challenge_id) => Visible::Full,
            Viewer::Staff { .. } => Visible::Hidden,
            Viewer::Student(me) if *me == event.student => Visible::Full,
            // Another student's session: the queue moved, nothing says whose or which.
            Viewer::Student(_) => Visible::Queue,
        }
    }
}

/// What a viewer sees of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visible {
    /// The whole event (its session, state and challenge).
    Full,
    /// Only that the queue moved: the event's id and kind.
    Queue,
    /// Nothing (a challenge outside the viewer's filter).
    Hidden,
}

/// How many live streams may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamCaps {
    /// Per signed-in account (tabs and clients of one person).
    pub per_account: u32,
    /// In this process (memory: each stream holds a connection and a small buffer).
    pub total: u32,
}

impl StreamCaps {
    /// Streams per account by default: a person with a few tabs and a script.
    pub const PER_ACCOUNT: u32 = 8;
    /// Streams per process by default.
    pub const TOTAL: u32 = 4096;
}

impl Default for StreamCaps {
    fn default() -> Self {
        Self {
            per_account: Self::PER_ACCOUNT,
            total: Self::TOTAL,
        }
    }
}

/// Why a stream was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamRefusal {
    /// The account already has its limit of open streams.
    #[error(
        "this account already has {limit} open live streams, the most allowed; close one \
         (another tab or client) and try again"
    )]
    AccountFull {
        /// The limit.
        limit: u32,
    },
    /// The process already serves its limit of streams.
    #[error(
        "the server already serves {limit} live streams, the most it allows; try again in a \
         few seconds"
    )]
    ServerFull {
        /// The limit.
        limit: u32,
    },
}

/// Whether one more stream may open, given those open for the account and in total.
///
/// # Errors
/// [`StreamRefusal`] when a cap is reached (the account's is checked first: it is the one the
/// caller can act on).
pub fn admit_stream(
    open_for_account: u32,
    open_total: u32,
    caps: StreamCaps,
) -> Result<(), StreamRefusal> {
    if open_for_account >= caps.per_account {
        return Err(StreamRefusal::AccountFull {
            limit: caps.per_account,
        });
    }
    if open_total >= caps.total {
        return Err(StreamRefusal::ServerFull { limit: caps.total });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, ScheduledSessionId, SessionState};
    use chrono::DateTime;

    fn event(id: i64, challenge: i32, student: i32) -> FeedEvent {
        FeedEvent {
            id,
            event: SessionEvent {
                session_id: ScheduledSessionId(i32::try_from(id).unwrap_or(0)),
                occurred_at: DateTime::UNIX_EPOCH,
                actor: Some(UserId(student)),
                actor_email: None,
                kind: EventKind::Booked,
                from_state: None,
                to_state: SessionState::Pending,
                detail: None,
            },
            challenge_id: ChallengeId(challenge),
            student: UserId(student),
        }
    }

    fn ids(events: &[FeedEvent]) -> Vec<i64> {
        events.iter().map(|event| event.id).collect()
    }

    const PATIENCE: Duration = Duration::from_millis(1000);

    #[test]
    fn contiguous_ids_are_delivered_at_once_in_order() {
        let mut cursor = FeedCursor::with_patience(10, PATIENCE);
        let now = Instant::now();
        let ready = cursor.offer(vec![event(12, 1, 1), event(11, 1, 1)], now);
        assert_eq!(ids(&ready), [11, 12]);
        assert_eq!(cursor.position(), 12);
        assert!(!cursor.is_holding());
    }

    #[test]
    fn an_event_behind_a_missing_id_waits_until_the_id_commits() {
        let mut cursor = FeedCursor::with_patience(10, PATIENCE);
        let now = Instant::now();
        assert!(cursor.offer(vec![event(12, 1, 1)], now).is_empty());
        assert!(cursor.is_holding());
        assert_eq!(cursor.position(), 10);
        // The re-read from the position sees both: 11 committed late.
        let later = now + Duration::from_millis(300);
        let ready = cursor.offer(vec![event(11, 1, 1), event(12, 1, 1)], later);
        assert_eq!(ids(&ready), [11, 12]);
        assert!(!cursor.is_holding());
    }

    #[test]
    fn a_gap_is_given_up_after_the_patience_and_not_a_moment_before() {
        let mut cursor = FeedCursor::with_patience(10, PATIENCE);
        let now = Instant::now();
        assert!(cursor.offer(vec![event(12, 1, 1)], now).is_empty());
        let almost = now + PATIENCE - Duration::from_millis(1);
        assert!(cursor.offer(vec![event(12, 1, 1)], almost).is_empty());
        let ready = cursor.offer(vec![event(12, 1, 1)], now + PATIENCE);
        assert_eq!(ids(&ready), [12]);
        assert_eq!(cursor.position(), 12);
    }

    #[test]
    fn an_id_committed_after_its_gap_was_given_up_is_dropped() {
        let mut cursor = FeedCursor::with_patience(10, PATIENCE);
        let now = Instant::now();
        cursor.offer(vec![event(12, 1, 1)], now);
        cursor.offer(vec![], now + PATIENCE);
        assert!(cursor
            .offer(vec![event(11, 1, 1)], now + PATIENCE * 2)
            .is_empty());
    }

    #[test]
    fn overlapping_reads_deliver_each_event_once() {
        let mut cursor = FeedCursor::with_patience(0, PATIENCE);
        let now = Instant::now();
        assert_eq!(ids(&cursor.offer(vec![event(1, 1, 1)], now)), [1]);
        let again = cursor.offer(vec![event(1, 1, 1), event(2, 1, 1)], now);
        assert_eq!(ids(&again), [2]);
        assert!(cursor.offer(vec![event(2, 1, 1)], now).is_empty());
    }

    #[test]
    fn each_gap_keeps_its_own_clock() {
        let mut cursor = FeedCursor::with_patience(10, PATIENCE);
        let now = Instant::now();
        cursor.offer(vec![event(12, 1, 1)], now);
        let later = now + Duration::from_millis(800);
        cursor.offer(vec![event(14, 1, 1)], later);
        // 12 has waited long enough, 14 has not: 13 may still commit.
        let ready = cursor.offer(vec![], now + PATIENCE);
        assert_eq!(ids(&ready), [12]);
        assert_eq!(
            ids(&cursor.offer(vec![event(13, 1, 1)], now + PATIENCE)),
            [13, 14]
        );
    }

    #[test]
    fn staff_without_a_filter_see_every_event_in_full() {
        let viewer = Viewer::of(Actor::instructor(UserId(9)), None);
        assert_eq!(viewer.sees(&event(1, 3, 4)), Visible::Full);
    }

    #[test]
    fn staff_with_a_filter_see_only_their_challenges() {
        let viewer = Viewer::of(
            Actor::instructor(UserId(9)),
            Some(vec![ChallengeId(3), ChallengeId(5)]),
        );
        assert_eq!(viewer.sees(&event(1, 5, 4)), Visible::Full);
        assert_eq!(viewer.sees(&event(2, 4, 4)), Visible::Hidden);
    }

    #[test]
    fn admins_are_staff() {
        let admin = Actor {
            user_id: UserId(1),
            role: crate::domain::Role::Admin,
        };
        assert_eq!(Viewer::of(admin, None), Viewer::Staff { challenges: None });
    }

    #[test]
    fn a_student_sees_their_own_events_in_full_and_others_as_queue_ticks() {
        let viewer = Viewer::of(Actor::student(UserId(4)), Some(vec![ChallengeId(99)]));
        assert_eq!(viewer, Viewer::Student(UserId(4)));
        assert_eq!(viewer.sees(&event(1, 3, 4)), Visible::Full);
        assert_eq!(viewer.sees(&event(2, 3, 5)), Visible::Queue);
    }

    #[test]
    fn the_ninth_stream_of_an_account_is_refused_with_the_limit_named() {
        let caps = StreamCaps::default();
        assert_eq!(admit_stream(7, 100, caps), Ok(()));
        let refused = admit_stream(8, 100, caps);
        assert_eq!(refused, Err(StreamRefusal::AccountFull { limit: 8 }));
        assert_eq!(
            refused.map_err(|why| why.to_string()).err().as_deref(),
            Some(
                "this account already has 8 open live streams, the most allowed; close one \
                 (another tab or client) and try again"
            )
        );
    }

    #[test]
    fn the_process_cap_counts_every_account() {
        let caps = StreamCaps {
            per_account: 8,
            total: 10,
        };
        assert_eq!(admit_stream(0, 9, caps), Ok(()));
        assert_eq!(
            admit_stream(0, 10, caps),
            Err(StreamRefusal::ServerFull { limit: 10 })
        );
        // The account's own cap is reported first: its owner can act on it.
        assert_eq!(
            admit_stream(8, 10, caps),
            Err(StreamRefusal::AccountFull { limit: 8 })
        );
    }
}
