//! Booking: eligibility paths, access, and deduplication.

use std::sync::Arc;

use chrono::Duration;

use super::fake::FakeSessions;
use super::*;
use crate::domain::{Actor, EligibilityReason, Policy, ReviewVerdict};
use crate::error::{BookError, DomainError, RepositoryError};
use crate::ports::CreateOutcome;
use crate::services::{Booking, BookingOutcome};

/// Expects exactly one atomic create and records what it was given.
fn expect_create(mocks: &mut Mocks) {
    mocks
        .sessions
        .expect_create_unless_recent()
        .times(1)
        .returning(|new, _, _| Ok(CreateOutcome::Created(recorded(&new, 99))));
}

#[tokio::test]
async fn a_needs_work_review_books_a_session_recorded_as_needs_work_feedback() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(1, 1, 1));
    expect_create(&mut mocks);

    let booking = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(booking.outcome, BookingOutcome::Created);
    let session = booking.session;
    assert_eq!(
        session.reason.known(),
        Some(EligibilityReason::NeedsWorkFeedback)
    );
    assert_eq!(
        session.engagement,
        EngagementSnapshot {
            goals_passed: 1,
            goals_engaged: 1,
            total_goals: 3
        }
    );
    assert_eq!(session.user_id, STUDENT);
    assert_eq!(session.submission_id, SUBMISSION);
    assert_eq!(session.scheduled_at, now());
    assert!(session.is_open());
}

#[tokio::test]
async fn every_goal_engaged_or_passed_books_a_session_recorded_as_digi_trainer_engagement() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, None))
        .with_progress(progress(2, 2, 0));
    expect_create(&mut mocks);

    let booking = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(
        booking.session.reason.known(),
        Some(EligibilityReason::DigiTrainerEngagement)
    );
    assert_eq!(booking.session.engagement.percent(), 100);
}

#[tokio::test]
async fn needs_work_feedback_is_recorded_when_both_conditions_hold() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(3, 0, 0));
    mocks
        .sessions
        .expect_create_unless_recent()
        .withf(|new, _, _| new.reason == EligibilityReason::NeedsWorkFeedback)
        .times(1)
        .returning(|new, _, _| Ok(CreateOutcome::Created(recorded(&new, 1))));

    let booking = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(
        booking.session.reason.known(),
        Some(EligibilityReason::NeedsWorkFeedback)
    );
}

#[tokio::test]
async fn a_student_meeting_neither_condition_is_refused_with_how_far_they_are_and_nothing_is_recorded(
) {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::Approved)))
        .with_progress(progress(1, 1, 3));
    mocks.sessions.expect_create_unless_recent().never();

    let error = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap_err();

    let BookError::Ineligible(why) = &error else {
        panic!("expected Ineligible, got {error:?}");
    };
    assert_eq!(why.unmet.len(), 2);
    let message = error.to_string();
    assert!(
        message.contains("2 of 5 goals engaged; 5 needed"),
        "{message}"
    );
    assert!(
        message.contains("the latest review is \"approved\""),
        "{message}"
    );
}

#[tokio::test]
async fn booking_someone_elses_submission_is_forbidden_not_ineligible() {
    let mut mocks = Mocks::at(now()).with_submission(submission(OTHER_STUDENT, None));
    mocks.goals.expect_progress().never();
    mocks.sessions.expect_create_unless_recent().never();

    let error = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap_err();

    assert_eq!(error, BookError::Forbidden);
}

#[tokio::test]
async fn booking_an_unknown_submission_is_not_found() {
    let mut mocks = Mocks::at(now());
    mocks.submissions.expect_get().returning(|_| Ok(None));
    mocks.sessions.expect_create_unless_recent().never();

    let error = mocks
        .service()
        .book(Actor::student(STUDENT), SubmissionId(404))
        .await
        .unwrap_err();

    assert_eq!(error, BookError::NotFound(404));
    assert_eq!(error.to_string(), "submission 404 does not exist");
}

#[tokio::test]
async fn an_instructor_cannot_book_a_session_and_nothing_is_read() {
    let mut mocks = Mocks::at(now());
    mocks.submissions.expect_get().never();
    mocks.goals.expect_progress().never();
    mocks.sessions.expect_create_unless_recent().never();

    let error = mocks
        .service()
        .book(Actor::instructor(INSTRUCTOR), SUBMISSION)
        .await
        .unwrap_err();

    assert_eq!(error, BookError::Forbidden);
}

#[tokio::test]
async fn the_service_asks_for_the_atomic_create_with_a_window_starting_one_hour_before_now() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(0, 1, 2));
    mocks
        .sessions
        .expect_create_unless_recent()
        .withf(|new, window_start, max_open| {
            *window_start == now() - Duration::hours(1)
                && *max_open == 3
                && new.scheduled_at == now()
                && new.user_id == STUDENT
                && new.submission_id == SUBMISSION
        })
        .times(1)
        .returning(|new, _, _| Ok(CreateOutcome::Created(recorded(&new, 5))));

    mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_configured_dedup_window_moves_the_window_start() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(0, 0, 1));
    mocks
        .sessions
        .expect_create_unless_recent()
        .withf(|_, window_start, _| *window_start == now() - Duration::minutes(10))
        .times(1)
        .returning(|new, _, _| Ok(CreateOutcome::Created(recorded(&new, 5))));

    let policy = Policy::new(100, Duration::minutes(10)).unwrap();
    mocks
        .service_with(policy)
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_recent_session_found_by_the_store_is_returned_as_a_duplicate() {
    let existing = pending_session(12, now() - Duration::minutes(5));
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(1, 0, 0));
    let returned = existing.clone();
    mocks
        .sessions
        .expect_create_unless_recent()
        .times(1)
        .returning(move |_, _, _| Ok(CreateOutcome::Existing(returned.clone())));

    let booking = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(booking.outcome, BookingOutcome::Duplicate);
    assert_eq!(booking.session, existing);
}

async fn book_with_previous_session_at(previous: DateTime<Utc>) -> (Arc<FakeSessions>, Booking) {
    let store = Arc::new(FakeSessions::with(vec![pending_session(1, previous)]));
    let service = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(1, 1, 1))
        .service_over(store.clone(), Policy::default());
    let booking = service
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();
    (store, booking)
}

#[tokio::test]
async fn a_booking_59_minutes_59_seconds_after_the_last_one_returns_the_existing_session() {
    let previous = now() - Duration::minutes(59) - Duration::seconds(59);
    let (store, booking) = book_with_previous_session_at(previous).await;

    assert_eq!(booking.outcome, BookingOutcome::Duplicate);
    assert_eq!(booking.session.id, ScheduledSessionId(1));
    assert_eq!(booking.session.scheduled_at, previous);
    assert_eq!(store.rows().len(), 1, "nothing new was recorded");
}

#[tokio::test]
async fn a_booking_exactly_60_minutes_after_the_last_one_records_a_new_session() {
    let previous = now() - Duration::minutes(60);
    let (store, booking) = book_with_previous_session_at(previous).await;

    assert_eq!(booking.outcome, BookingOutcome::Created);
    assert_eq!(booking.session.id, ScheduledSessionId(2));
    assert_eq!(booking.session.scheduled_at, now());
    assert_eq!(store.rows().len(), 2);
}

#[tokio::test]
async fn booking_twice_in_a_row_records_one_session_and_shows_it_both_times() {
    let store = Arc::new(FakeSessions::default());
    let service = Mocks::at(now())
        .with_submission(submission(STUDENT, None))
        .with_progress(progress(0, 4, 0))
        .service_over(store.clone(), Policy::default());

    let first = service
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();
    let second = service
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(first.outcome, BookingOutcome::Created);
    assert_eq!(second.outcome, BookingOutcome::Duplicate);
    assert_eq!(first.session, second.session);
    assert_eq!(store.rows().len(), 1);
}

#[tokio::test]
async fn a_store_outage_is_reported_as_a_repository_error() {
    let mut mocks = Mocks::at(now());
    mocks.submissions.expect_get().returning(|_| {
        Err(RepositoryError::Unavailable(
            "connection refused".to_owned(),
        ))
    });

    let error = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap_err();

    assert_eq!(
        error,
        BookError::Repository(RepositoryError::Unavailable(
            "connection refused".to_owned()
        ))
    );
}

#[tokio::test]
async fn at_the_open_session_limit_booking_is_refused_saying_so() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(1, 0, 0));
    mocks
        .sessions
        .expect_create_unless_recent()
        .withf(|_, _, max_open| *max_open == 3)
        .times(1)
        .returning(|_, _, _| Ok(CreateOutcome::TooManyOpen { open: 3 }));
    let error = mocks
        .service()
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap_err();
    assert_eq!(error, BookError::TooManyOpen { open: 3, max: 3 });
    assert_eq!(
        error.to_string(),
        "3 open sensei sessions; at most 3 at a time"
    );
    assert_eq!(error.code(), "too_many_open_sessions");
}

#[tokio::test]
async fn a_cancelled_session_is_no_duplicate_and_frees_a_place_under_the_limit() {
    use crate::domain::{Cancellation, SessionLifecycle};
    let mut cancelled = pending_session(1, now() - Duration::minutes(5));
    cancelled.lifecycle = SessionLifecycle::Cancelled(Cancellation {
        cancelled_at: now() - Duration::minutes(1),
        reason: None,
    });
    let store = Arc::new(FakeSessions::with(vec![cancelled]));
    let mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(1, 0, 0));
    let policy = Policy::default().with_max_open_sessions(1).unwrap();
    let service = mocks.service_over(store.clone(), policy);
    let booking = service
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();
    assert_eq!(booking.outcome, BookingOutcome::Created);
    assert_eq!(store.rows().len(), 2);
}
