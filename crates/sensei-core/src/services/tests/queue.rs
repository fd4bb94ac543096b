//! Places in line and expected waits over mocks: who may ask, which count each place costs,
//! how long a wait model is kept, and how many places a page gets.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::domain::{
    Actor, Cancellation, Claim, Page, PageRequest, QueuePlace, Reader, SessionQuery, StatusFilter,
    WaitEstimate, WaitHistoryEntry,
};
use crate::error::{QueryError, Resource};
use crate::ports::MockWaitHistory;
use crate::services::{MAX_PLACES_PER_PAGE, WAIT_MODEL_REFRESH};

/// A history in which the queue never empties and a first claim comes every 6 minutes.
fn steady_history(since: DateTime<Utc>) -> Vec<WaitHistoryEntry> {
    (0..14 * 24 * 10)
        .map(|i| {
            let booked = since + Duration::minutes(6 * i);
            WaitHistoryEntry {
                booked_at: booked,
                first_claimed_at: Some(booked + Duration::minutes(6)),
                closed_unclaimed_at: None,
            }
        })
        .collect()
}

/// The sessions store knows session 5 (STUDENT's, pending, booked an hour ago) and counts
/// `ahead` pending sessions booked before it.
fn with_pending_session(mocks: &mut Mocks, ahead: u64) {
    mocks
        .sessions
        .expect_get()
        .withf(|id| *id == ScheduledSessionId(5))
        .returning(|_| {
            Ok(Some(entry_of(pending_session(
                5,
                now() - Duration::hours(1),
            ))))
        });
    mocks
        .sessions
        .expect_count()
        .withf(|query| {
            query.status == StatusFilter::Pending
                && query.scheduled_before == Some(now() - Duration::hours(1))
        })
        .returning(move |_| Ok(ahead));
}

#[tokio::test]
async fn a_waiting_session_gets_its_position_and_an_estimate_from_the_history() {
    let mut mocks = Mocks::at(now());
    with_pending_session(&mut mocks, 3);
    let mut history = MockWaitHistory::new();
    history
        .expect_wait_history()
        .withf(|since, until| *until == now() && *since == now() - Duration::days(14))
        .times(1)
        .returning(|since, _| Ok(steady_history(since)));
    let service = mocks.service().with_wait_history(Arc::new(history));

    let place = service
        .queue_place(Actor::student(STUDENT), ScheduledSessionId(5))
        .await
        .unwrap()
        .unwrap();

    let QueuePlace::Waiting { position, estimate } = place else {
        panic!("expected a waiting session, got {place:?}");
    };
    assert_eq!(position, 4);
    assert!(
        matches!(estimate, WaitEstimate::About { minutes, basis_days: 14 } if minutes > 0),
        "{estimate:?}"
    );
}

#[tokio::test]
async fn the_wait_model_is_read_once_a_minute_not_on_every_request() {
    let mut mocks = Mocks::default();
    // The clock reads now, then 30 s later, then just past the refresh.
    let step = Arc::new(AtomicI64::new(0));
    let offsets = [0, 30, WAIT_MODEL_REFRESH.num_seconds() + 1];
    mocks.clock.expect_now().returning(move || {
        let i = step.fetch_add(1, Ordering::SeqCst);
        let offset = offsets[usize::try_from(i).unwrap_or(0).min(2)];
        now() + Duration::seconds(offset)
    });
    with_pending_session(&mut mocks, 0);
    let mut history = MockWaitHistory::new();
    history
        .expect_wait_history()
        .times(2)
        .returning(|_, _| Ok(Vec::new()));
    let service = mocks.service().with_wait_history(Arc::new(history));
    for _ in 0..3 {
        let place = service
            .queue_place(Reader::TrustedEmbedder, ScheduledSessionId(5))
            .await
            .unwrap();
        assert_eq!(
            place,
            Some(QueuePlace::Waiting {
                position: 1,
                estimate: WaitEstimate::NotYet,
            })
        );
    }
}

#[tokio::test]
async fn a_student_asks_only_about_their_own_sessions_and_instructors_about_any() {
    let mut mocks = Mocks::at(now());
    with_pending_session(&mut mocks, 0);
    mocks
        .sessions
        .expect_get()
        .withf(|id| *id == ScheduledSessionId(9))
        .returning(|_| Ok(None));
    let service = mocks.service();

    assert_eq!(
        service
            .queue_place(Actor::student(OTHER_STUDENT), ScheduledSessionId(5))
            .await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service
            .queue_place(Actor::student(STUDENT), ScheduledSessionId(9))
            .await,
        Err(QueryError::NotFound {
            resource: Resource::ScheduledSession,
            id: 9
        })
    );
    for reader in [
        Reader::Actor(Actor::instructor(INSTRUCTOR)),
        Reader::TrustedEmbedder,
    ] {
        let place = service
            .queue_place(reader, ScheduledSessionId(5))
            .await
            .unwrap();
        assert_eq!(place.and_then(|place| place.position()), Some(1));
    }
}

#[tokio::test]
async fn held_and_closed_sessions_cost_no_count() {
    let mut mocks = Mocks::at(now());
    let held = ScheduledSession {
        lifecycle: SessionLifecycle::Claimed(Claim {
            holder: INSTRUCTOR,
            expires_at: now() + Duration::minutes(5),
        }),
        ..pending_session(6, now() - Duration::hours(2))
    };
    let cancelled = ScheduledSession {
        lifecycle: SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: now() - Duration::minutes(1),
            reason: None,
        }),
        ..pending_session(7, now() - Duration::hours(3))
    };
    mocks.sessions.expect_get().returning(move |id| {
        Ok(Some(entry_of(if id == ScheduledSessionId(6) {
            held.clone()
        } else {
            cancelled.clone()
        })))
    });
    mocks.sessions.expect_count().never();
    let service = mocks.service();
    assert_eq!(
        service
            .queue_place(Actor::student(STUDENT), ScheduledSessionId(6))
            .await,
        Ok(Some(QueuePlace::WithInstructor))
    );
    assert_eq!(
        service
            .queue_place(Actor::student(STUDENT), ScheduledSessionId(7))
            .await,
        Ok(None)
    );
}

#[tokio::test]
async fn a_page_of_open_sessions_gets_a_bounded_number_of_places() {
    let mut mocks = Mocks::at(now());
    let rows: Vec<_> = (1..=12)
        .map(|id| entry_of(pending_session(id, now() - Duration::hours(i64::from(id)))))
        .collect();
    mocks
        .sessions
        .expect_list()
        .times(1)
        .returning(move |_, _| {
            Ok(Page {
                items: rows.clone(),
                next: None,
            })
        });
    mocks
        .sessions
        .expect_count()
        .withf(|query: &SessionQuery| query.status == StatusFilter::Pending)
        .times(MAX_PLACES_PER_PAGE)
        .returning(|_| Ok(0));
    let page = mocks
        .service()
        .my_sessions(Actor::student(STUDENT), PageRequest::default())
        .await
        .unwrap()
        .page;
    let placed = page
        .items
        .iter()
        .filter(|item| item.place.is_some())
        .count();
    assert_eq!(placed, MAX_PLACES_PER_PAGE);
}
