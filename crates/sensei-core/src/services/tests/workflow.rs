//! The instructor workflow over an in-memory store and a mocked clock: claims with their
//! expiry and limit, renew and release, completion by the holder, cancellation by the owner,
//! the events each transition appends, and what students and instructors may read.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::fake::FakeSessions;
use super::*;
use crate::domain::{
    Actor, Cancellation, Claim, Completion, EventKind, Notes, PageRequest, SessionQuery,
    SessionState, StatusFilter,
};
use crate::error::{CancelError, ClaimError, CompleteError, DomainError, ErrorKind, QueryError};

const ANN: UserId = UserId(21);
const BEN: UserId = UserId(22);

fn ann() -> Actor {
    Actor::instructor(ANN)
}

fn ben() -> Actor {
    Actor::instructor(BEN)
}

fn student() -> Actor {
    Actor::student(STUDENT)
}

/// A service over `store` whose clock reads `at`.
fn at(store: &Arc<FakeSessions>, at: DateTime<Utc>) -> SenseiService {
    Mocks::at(at).service_over(store.clone(), Policy::default())
}

fn store_with(sessions: Vec<ScheduledSession>) -> Arc<FakeSessions> {
    Arc::new(FakeSessions::with(sessions))
}

fn pending(id: i32) -> ScheduledSession {
    pending_session(id, now() - Duration::hours(2))
}

fn claimed_by(id: i32, holder: UserId, expires_at: DateTime<Utc>) -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Claimed(Claim { holder, expires_at }),
        ..pending(id)
    }
}

fn id(raw: i32) -> ScheduledSessionId {
    ScheduledSessionId(raw)
}

#[tokio::test]
async fn an_instructor_claims_a_pending_session_for_thirty_minutes() {
    let store = store_with(vec![pending(1)]);
    let session = at(&store, now()).claim(ann(), id(1)).await.unwrap();
    assert_eq!(
        session.lifecycle,
        SessionLifecycle::Claimed(Claim {
            holder: ANN,
            expires_at: now() + Duration::minutes(30)
        })
    );
    let events = store.recorded_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Claimed);
    assert_eq!(events[0].from_state, Some(SessionState::Pending));
    assert_eq!(events[0].to_state, SessionState::Claimed);
    assert_eq!(events[0].actor, Some(ANN));
}

#[tokio::test]
async fn a_session_claimed_by_someone_else_is_refused_naming_the_holder_and_expiry() {
    let store = store_with(vec![claimed_by(1, ANN, now() + Duration::minutes(10))]);
    let error = at(&store, now()).claim(ben(), id(1)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.code(), "held_by_other");
    assert_eq!(
        error.to_string(),
        "scheduled session 1 is claimed by instructor21@example.com until 2026-11-28 10:10 UTC"
    );
    assert!(store.recorded_events().is_empty());
}

#[tokio::test]
async fn a_claim_holds_until_the_second_before_its_expiry_and_is_free_at_the_expiry() {
    let expires_at = now() + Duration::minutes(30);
    let store = store_with(vec![claimed_by(1, ANN, expires_at)]);
    let refused = at(&store, expires_at - Duration::seconds(1))
        .claim(ben(), id(1))
        .await;
    assert!(matches!(refused, Err(ClaimError::HeldByOther(_))));
    let taken = at(&store, expires_at).claim(ben(), id(1)).await.unwrap();
    assert_eq!(taken.live_claim_at(expires_at).map(|c| c.holder), Some(BEN));
    let event = store.recorded_events().pop().unwrap();
    assert_eq!(
        event.from_state,
        Some(SessionState::Pending),
        "an expired claim is pending"
    );
}

#[tokio::test]
async fn an_instructor_may_hold_four_live_claims_and_the_fifth_is_refused_saying_so() {
    let store = store_with((1..=5).map(pending).collect());
    let service = at(&store, now());
    for raw in 1..=4 {
        service.claim(ann(), id(raw)).await.unwrap();
    }
    let error = service.claim(ann(), id(5)).await.unwrap_err();
    assert_eq!(error, ClaimError::TooManyClaims { live: 4, max: 4 });
    assert_eq!(error.kind(), ErrorKind::Refused);
    assert!(error.to_string().contains("at most 4 at a time"));
    // Another instructor is not limited by Ann's claims.
    service.claim(ben(), id(5)).await.unwrap();
}

#[tokio::test]
async fn expired_claims_do_not_count_against_the_limit() {
    let mut sessions: Vec<_> = (1..=4)
        .map(|raw| claimed_by(raw, ANN, now() - Duration::seconds(1)))
        .collect();
    sessions.push(pending(5));
    let store = store_with(sessions);
    at(&store, now()).claim(ann(), id(5)).await.unwrap();
}

#[tokio::test]
async fn claiming_a_session_you_hold_renews_it() {
    let store = store_with(vec![claimed_by(1, ANN, now() + Duration::minutes(5))]);
    let session = at(&store, now()).claim(ann(), id(1)).await.unwrap();
    assert_eq!(
        session.live_claim_at(now()).map(|claim| claim.expires_at),
        Some(now() + Duration::minutes(30))
    );
    assert_eq!(store.recorded_events()[0].kind, EventKind::Renewed);
}

#[tokio::test]
async fn the_holder_renews_and_nobody_else_does() {
    let store = store_with(vec![claimed_by(1, ANN, now() + Duration::minutes(5))]);
    let later = now() + Duration::minutes(4);
    let renewed = at(&store, later).renew_claim(ann(), id(1)).await.unwrap();
    assert_eq!(
        renewed.live_claim_at(later).map(|claim| claim.expires_at),
        Some(later + Duration::minutes(30))
    );
    let error = at(&store, later)
        .renew_claim(ben(), id(1))
        .await
        .unwrap_err();
    assert!(matches!(error, ClaimError::HeldByOther(_)), "{error:?}");
    let events = store.recorded_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].from_state, Some(SessionState::Claimed));
    assert_eq!(events[0].to_state, SessionState::Claimed);
}

#[tokio::test]
async fn an_expired_claim_cannot_be_renewed_only_claimed_again() {
    let store = store_with(vec![claimed_by(1, ANN, now())]);
    let error = at(&store, now())
        .renew_claim(ann(), id(1))
        .await
        .unwrap_err();
    assert_eq!(error, ClaimError::NotHeld(id(1)));
    assert_eq!(error.code(), "not_held");
}

#[tokio::test]
async fn releasing_puts_the_session_back_in_the_queue() {
    let store = store_with(vec![claimed_by(1, ANN, now() + Duration::minutes(5))]);
    assert!(matches!(
        at(&store, now()).release_claim(ben(), id(1)).await,
        Err(ClaimError::HeldByOther(_))
    ));
    let released = at(&store, now()).release_claim(ann(), id(1)).await.unwrap();
    assert_eq!(released.lifecycle, SessionLifecycle::Pending);
    let event = store.recorded_events().pop().unwrap();
    assert_eq!(event.kind, EventKind::Released);
    assert_eq!(event.to_state, SessionState::Pending);
    // Released: anyone may claim it now.
    at(&store, now()).claim(ben(), id(1)).await.unwrap();
}

#[tokio::test]
async fn students_cannot_claim_renew_or_release() {
    let store = store_with(vec![pending(1)]);
    let service = at(&store, now());
    assert_eq!(
        service.claim(student(), id(1)).await,
        Err(ClaimError::Forbidden)
    );
    assert_eq!(
        service.renew_claim(student(), id(1)).await,
        Err(ClaimError::Forbidden)
    );
    assert_eq!(
        service.release_claim(student(), id(1)).await,
        Err(ClaimError::Forbidden)
    );
    assert_eq!(
        service.claim(ann(), id(404)).await,
        Err(ClaimError::NotFound(id(404)))
    );
}

#[tokio::test]
async fn only_the_holder_completes_a_claimed_session_and_records_both_notes() {
    let store = store_with(vec![claimed_by(1, ANN, now() + Duration::minutes(5))]);
    let error = at(&store, now())
        .complete_with_notes(ben(), id(1), "private", "for you")
        .await
        .unwrap_err();
    assert!(matches!(error, CompleteError::HeldByOther(_)), "{error:?}");
    assert!(error.to_string().contains("only they can complete it"));
    let done = at(&store, now())
        .complete_with_notes(ann(), id(1), " private ", " for you ")
        .await
        .unwrap();
    let completion = done.completion().unwrap();
    assert_eq!(completion.completed_by, Some(ANN));
    assert_eq!(
        completion.notes.as_ref().map(Notes::as_str),
        Some("private")
    );
    assert_eq!(
        completion.student_notes.as_ref().map(Notes::as_str),
        Some("for you")
    );
    let event = store.recorded_events().pop().unwrap();
    assert_eq!(event.from_state, Some(SessionState::Claimed));
    assert_eq!(event.to_state, SessionState::Completed);
}

#[tokio::test]
async fn any_instructor_completes_a_pending_session_or_one_whose_claim_expired() {
    let store = store_with(vec![pending(1), claimed_by(2, ANN, now())]);
    at(&store, now()).complete(ben(), id(1), "").await.unwrap();
    at(&store, now()).complete(ben(), id(2), "").await.unwrap();
}

#[tokio::test]
async fn too_long_student_notes_are_refused_and_nothing_is_saved() {
    let store = store_with(vec![pending(1)]);
    let error = at(&store, now())
        .complete_with_notes(ann(), id(1), "", &"x".repeat(10_001))
        .await
        .unwrap_err();
    assert!(matches!(error, CompleteError::InvalidNotes(_)));
    assert!(store.rows()[0].is_open());
    assert!(store.recorded_events().is_empty());
}

#[tokio::test]
async fn the_owner_cancels_a_pending_or_claimed_session_with_a_reason() {
    let store = store_with(vec![
        pending(1),
        claimed_by(2, ANN, now() + Duration::minutes(5)),
    ]);
    let cancelled = at(&store, now())
        .cancel(student(), id(1), "  sorted it out myself ")
        .await
        .unwrap();
    assert_eq!(
        cancelled.lifecycle,
        SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: now(),
            reason: crate::domain::CancelReason::parse("sorted it out myself").unwrap(),
        })
    );
    at(&store, now())
        .cancel(student(), id(2), "")
        .await
        .unwrap();
    let events = store.recorded_events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].detail.as_deref(), Some("sorted it out myself"));
    assert_eq!(events[1].from_state, Some(SessionState::Claimed));
    assert_eq!(events[1].to_state, SessionState::Cancelled);
}

#[tokio::test]
async fn instructors_and_other_students_cannot_cancel() {
    let store = store_with(vec![pending(1)]);
    assert_eq!(
        at(&store, now()).cancel(ann(), id(1), "").await,
        Err(CancelError::Forbidden)
    );
    assert_eq!(
        at(&store, now())
            .cancel(Actor::student(OTHER_STUDENT), id(1), "")
            .await,
        Err(CancelError::Forbidden)
    );
    assert!(store.rows()[0].is_open());
}

#[tokio::test]
async fn cancelling_after_completion_is_refused_and_the_completion_kept() {
    let store = store_with(vec![pending(1)]);
    at(&store, now())
        .complete(ann(), id(1), "done")
        .await
        .unwrap();
    let error = at(&store, now())
        .cancel(student(), id(1), "")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CancelError::Closed {
            id: id(1),
            state: SessionState::Completed
        }
    );
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert!(store.rows()[0].completion().is_some());
}

#[tokio::test]
async fn a_cancelled_session_cannot_be_claimed_or_completed() {
    let store = store_with(vec![pending(1)]);
    at(&store, now())
        .cancel(student(), id(1), "")
        .await
        .unwrap();
    assert!(matches!(
        at(&store, now()).claim(ann(), id(1)).await,
        Err(ClaimError::Closed {
            state: SessionState::Cancelled,
            ..
        })
    ));
    assert_eq!(
        at(&store, now()).complete(ann(), id(1), "").await,
        Err(CompleteError::Cancelled(id(1)))
    );
}

#[tokio::test]
async fn a_reason_over_500_characters_is_refused_before_anything_changes() {
    let store = store_with(vec![pending(1)]);
    let error = at(&store, now())
        .cancel(student(), id(1), &"x".repeat(501))
        .await
        .unwrap_err();
    assert!(matches!(error, CancelError::InvalidReason(_)));
    assert_eq!(error.kind(), ErrorKind::Refused);
    assert!(store.rows()[0].is_open());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instructors_claiming_at_once_leave_exactly_one_holder() {
    for _ in 0..20 {
        let store = store_with(vec![pending(1)]);
        let (one, two) = (at(&store, now()), at(&store, now()));
        let (first, second) = tokio::join!(one.claim(ann(), id(1)), two.claim(ben(), id(1)));
        assert!(first.is_ok() != second.is_ok(), "{first:?} {second:?}");
        assert_eq!(store.recorded_events().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_racing_a_completion_leaves_exactly_one_winner_and_one_event() {
    for _ in 0..20 {
        let store = store_with(vec![pending(1)]);
        let (one, two) = (at(&store, now()), at(&store, now()));
        let (completed, cancelled) = tokio::join!(
            one.complete(ann(), id(1), ""),
            two.cancel(student(), id(1), "")
        );
        assert!(completed.is_ok() != cancelled.is_ok());
        let events = store.recorded_events();
        assert_eq!(events.len(), 1);
        let state = store.rows()[0].state_at(now());
        assert_eq!(events[0].to_state, state, "the event agrees with the row");
    }
}

#[tokio::test]
async fn a_student_sees_their_sessions_with_the_notes_meant_for_them() {
    let done = ScheduledSession {
        lifecycle: SessionLifecycle::Completed(Completion {
            completed_at: now(),
            completed_by: Some(ANN),
            notes: Notes::parse("private").unwrap(),
            student_notes: Notes::parse("keep going").unwrap(),
        }),
        ..pending(1)
    };
    let mut other = pending(2);
    other.user_id = OTHER_STUDENT;
    let store = store_with(vec![done, other]);
    let page = at(&store, now())
        .my_sessions(student(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        page.as_of,
        now(),
        "the states are as of the service's clock"
    );
    let page = page.page;
    assert_eq!(page.items.len(), 1, "never another student's sessions");
    let mine = &page.items[0];
    assert_eq!(mine.state, SessionState::Completed);
    assert_eq!(
        mine.student_notes.as_ref().map(Notes::as_str),
        Some("keep going")
    );
    assert_eq!(
        at(&store, now())
            .my_sessions(ann(), PageRequest::default())
            .await,
        Err(QueryError::Forbidden(
            crate::error::Resource::ScheduledSession
        ))
    );
}

#[tokio::test]
async fn history_lists_only_closed_sessions_and_the_timeline_shows_each_event() {
    let store = store_with(vec![pending(1), pending(2)]);
    at(&store, now()).claim(ann(), id(1)).await.unwrap();
    at(&store, now()).complete(ann(), id(1), "").await.unwrap();
    let history = at(&store, now())
        .history(
            ann(),
            SessionQuery {
                status: StatusFilter::Open,
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(history.total, 1);
    assert_eq!(history.page.items[0].session.id, id(1));
    let timeline = at(&store, now()).timeline(ann(), id(1)).await.unwrap();
    let kinds: Vec<_> = timeline.events.iter().map(|event| event.kind).collect();
    assert_eq!(kinds, [EventKind::Claimed, EventKind::Completed]);
    assert!(matches!(
        at(&store, now()).timeline(student(), id(1)).await,
        Err(QueryError::Forbidden(_))
    ));
}

/// A store where every compare-and-set loses to a twin request: each `transition` stores
/// `twin` (what a copy of the request wrote meanwhile) and answers `Changed`.
fn store_losing_to(
    first: ScheduledSession,
    twin: ScheduledSession,
) -> (
    Arc<dyn crate::ports::ScheduledSessionRepository>,
    Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    let current = Arc::new(Mutex::new(first));
    let writes = Arc::new(AtomicUsize::new(0));
    let mut sessions = crate::ports::MockScheduledSessionRepository::new();
    let read = Arc::clone(&current);
    sessions.expect_get().returning(move |_| {
        let session = read.lock().unwrap().clone();
        Ok(Some(crate::domain::SessionListEntry {
            session,
            student_email: "alice@example.com".to_owned(),
            challenge_id: crate::domain::ChallengeId(3),
            challenge_name: "Linked lists".to_owned(),
            holder_email: None,
        }))
    });
    let counted = Arc::clone(&writes);
    sessions
        .expect_transition()
        .returning(move |_, _, _, _, _| {
            counted.fetch_add(1, Ordering::SeqCst);
            *current.lock().unwrap() = twin.clone();
            Ok(crate::ports::TransitionOutcome::Changed)
        });
    (Arc::new(sessions), writes)
}

#[tokio::test]
async fn the_holder_repeating_a_renewal_that_lost_to_its_twin_succeeds_without_writing_again() {
    let expiry = now() + Duration::minutes(5);
    let twin_expiry = now() + Duration::minutes(30) + Duration::seconds(1);
    let (sessions, writes) =
        store_losing_to(claimed_by(1, ANN, expiry), claimed_by(1, ANN, twin_expiry));
    let service = Mocks::at(now()).service_over(sessions, Policy::default());
    let renewed = service.renew_claim(ann(), id(1)).await.unwrap();
    assert_eq!(
        renewed.lifecycle,
        SessionLifecycle::Claimed(Claim {
            holder: ANN,
            expires_at: twin_expiry
        })
    );
    assert_eq!(writes.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_claim_that_lost_to_another_instructor_is_refused_not_retried() {
    let (sessions, writes) = store_losing_to(
        pending(1),
        claimed_by(1, BEN, now() + Duration::minutes(30)),
    );
    let service = Mocks::at(now()).service_over(sessions, Policy::default());
    let refused = service.claim(ann(), id(1)).await.unwrap_err();
    assert!(matches!(refused, ClaimError::HeldByOther(_)), "{refused:?}");
    assert_eq!(refused.kind(), ErrorKind::Conflict);
    assert_eq!(writes.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_session_that_keeps_changing_gives_up_after_a_bounded_number_of_races() {
    // Every race is lost to a renewal by the same holder far in the future: never the twin.
    let (sessions, writes) = store_losing_to(
        claimed_by(1, ANN, now() + Duration::minutes(5)),
        claimed_by(1, ANN, now() + Duration::hours(3)),
    );
    let service = Mocks::at(now()).service_over(sessions, Policy::default());
    let error = service.renew_claim(ann(), id(1)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert_eq!(writes.load(std::sync::atomic::Ordering::SeqCst), 32);
}
