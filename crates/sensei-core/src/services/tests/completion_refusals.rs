//! Which refusal over-long notes get: the session's own state comes first (not found,
//! already completed, cancelled), the notes only for an open session.

use chrono::Duration;

use super::*;
use crate::domain::{Actor, CancelReason, Cancellation, NotesError, MAX_NOTES_CHARS};
use crate::error::{CompleteError, DomainError, RepositoryError};

const SESSION: ScheduledSessionId = ScheduledSessionId(12);

fn cancelled() -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: now() - Duration::minutes(5),
            reason: CancelReason::from_stored("sorted it out".to_owned()),
        }),
        ..pending_session(SESSION.get(), now() - Duration::hours(3))
    }
}

/// Completes SESSION with over-long notes (private or for the student) while the store's
/// `get` answers `stored`; no transition may be attempted.
async fn refusal_of_long_notes(
    stored: Result<Option<ScheduledSession>, RepositoryError>,
    long_student_notes: bool,
) -> CompleteError {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_transition().never();
    mocks
        .sessions
        .expect_get()
        .withf(|id| *id == SESSION)
        .times(1)
        .returning(move |_| stored.clone().map(|found| found.map(entry_of)));
    let long = "x".repeat(MAX_NOTES_CHARS + 1);
    let (notes, student_notes) = if long_student_notes {
        ("fine", long.as_str())
    } else {
        (long.as_str(), "fine")
    };
    mocks
        .service()
        .complete_with_notes(Actor::instructor(INSTRUCTOR), SESSION, notes, student_notes)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn too_long_notes_for_a_cancelled_session_say_it_was_cancelled() {
    for long_student_notes in [false, true] {
        let error = refusal_of_long_notes(Ok(Some(cancelled())), long_student_notes).await;
        assert_eq!(error, CompleteError::Cancelled(SESSION));
        assert_eq!(error.code(), "session_closed");
    }
}

#[tokio::test]
async fn too_long_notes_for_an_open_session_are_refused_as_notes() {
    for long_student_notes in [false, true] {
        let open = pending_session(SESSION.get(), now() - Duration::hours(3));
        let error = refusal_of_long_notes(Ok(Some(open)), long_student_notes).await;
        assert_eq!(
            error,
            CompleteError::InvalidNotes(NotesError::TooLong {
                chars: MAX_NOTES_CHARS + 1
            })
        );
    }
}

#[tokio::test]
async fn a_store_failure_while_judging_too_long_notes_is_reported() {
    let failure = RepositoryError::Unavailable("locked".into());
    let error = refusal_of_long_notes(Err(failure.clone()), false).await;
    assert_eq!(error, CompleteError::Repository(failure));
}
