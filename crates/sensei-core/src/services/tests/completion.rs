//! Completion: notes, the limit, a second completion, access.

use std::sync::Arc;

use chrono::Duration;

use super::fake::FakeSessions;
use super::*;
use crate::domain::{Actor, Completion, EventKind, Notes, NotesError, MAX_NOTES_CHARS};
use crate::error::CompleteError;
use crate::ports::TransitionOutcome;

const SESSION: ScheduledSessionId = ScheduledSessionId(12);

fn completed(completion: Completion) -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Completed(completion),
        ..pending_session(SESSION.get(), now() - Duration::hours(3))
    }
}

fn completion_of(lifecycle: &SessionLifecycle) -> Option<&Completion> {
    match lifecycle {
        SessionLifecycle::Completed(completion) => Some(completion),
        _ => None,
    }
}

/// Mocks where SESSION is pending, expecting one transition of it to a completion that
/// satisfies `check`, with a `completed` event from `pending`.
fn expecting_completion(check: impl Fn(&Completion) -> bool + Send + 'static) -> Mocks {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_get().returning(|id| {
        Ok(Some(entry_of(pending_session(
            id.get(),
            now() - Duration::hours(3),
        ))))
    });
    mocks
        .sessions
        .expect_transition()
        .withf(move |id, expected, next, event, limit| {
            *id == SESSION
                && *expected == SessionLifecycle::Pending
                && completion_of(next).is_some_and(&check)
                && event.kind == EventKind::Completed
                && event.from_state == Some(crate::domain::SessionState::Pending)
                && event.to_state == crate::domain::SessionState::Completed
                && limit.is_none()
        })
        .times(1)
        .returning(|_, _, next, _, _| {
            Ok(TransitionOutcome::Applied(completed(
                completion_of(&next).cloned().unwrap(),
            )))
        });
    mocks
}

#[tokio::test]
async fn completion_trims_the_notes_and_stamps_the_time() {
    let mocks = expecting_completion(|completion| {
        completion.completed_at == now()
            && completion.completed_by == Some(INSTRUCTOR)
            && completion.notes.as_ref().map(Notes::as_str) == Some("Walked through recursion.")
    });

    let session = mocks
        .service()
        .complete(
            Actor::instructor(INSTRUCTOR),
            SESSION,
            "  \n Walked through recursion.\t\n",
        )
        .await
        .unwrap();

    let completion = session.completion().unwrap();
    assert_eq!(completion.completed_at, now());
    assert_eq!(
        completion.notes.as_ref().map(Notes::as_str),
        Some("Walked through recursion.")
    );
}

#[tokio::test]
async fn blank_notes_are_stored_as_none() {
    for blank in ["", "   ", "\n\t \r\n"] {
        let mocks = expecting_completion(|completion| completion.notes.is_none());
        let session = mocks
            .service()
            .complete(Actor::instructor(INSTRUCTOR), SESSION, blank)
            .await
            .unwrap();
        assert_eq!(session.completion().unwrap().notes, None);
    }
}

#[tokio::test]
async fn notes_of_10_000_multibyte_characters_are_accepted() {
    let raw = "é".repeat(MAX_NOTES_CHARS);
    assert_eq!(raw.len(), 20_000);
    let mocks = expecting_completion(|completion| {
        completion
            .notes
            .as_ref()
            .is_some_and(|notes| notes.as_str().chars().count() == MAX_NOTES_CHARS)
    });

    let session = mocks
        .service()
        .complete(Actor::instructor(INSTRUCTOR), SESSION, &raw)
        .await
        .unwrap();

    assert!(!session.is_open());
}

#[tokio::test]
async fn notes_of_10_001_characters_are_refused_and_nothing_is_saved() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_transition().never();
    mocks
        .sessions
        .expect_get()
        .returning(|id| Ok(Some(entry_of(pending_session(id.get(), now())))));

    let error = mocks
        .service()
        .complete(
            Actor::instructor(INSTRUCTOR),
            SESSION,
            &"é".repeat(MAX_NOTES_CHARS + 1),
        )
        .await
        .unwrap_err();

    assert_eq!(
        error,
        CompleteError::InvalidNotes(NotesError::TooLong { chars: 10_001 })
    );
    assert_eq!(
        error.to_string(),
        "notes are 10001 characters long; at most 10000 are allowed; nothing was saved"
    );
}

#[tokio::test]
async fn a_second_completion_is_refused_and_carries_the_first_completion() {
    let first = Completion {
        completed_at: now() - Duration::minutes(20),
        completed_by: Some(UserId(2)),
        notes: Notes::parse("first instructor's notes").unwrap(),
        student_notes: None,
    };
    let already = completed(first.clone());
    let mut mocks = Mocks::at(now());
    mocks
        .sessions
        .expect_get()
        .returning(move |_| Ok(Some(entry_of(already.clone()))));
    mocks.sessions.expect_transition().never();

    let error = mocks
        .service()
        .complete(Actor::instructor(INSTRUCTOR), SESSION, "second notes")
        .await
        .unwrap_err();

    let CompleteError::AlreadyCompleted(session) = &error else {
        panic!("expected AlreadyCompleted, got {error:?}");
    };
    assert_eq!(session.completion(), Some(&first));
    assert!(error.to_string().contains("the first completion is kept"));
}

#[tokio::test]
async fn completing_twice_keeps_the_first_completions_time_and_notes_in_the_store() {
    let store = Arc::new(FakeSessions::with(vec![pending_session(
        SESSION.get(),
        now() - Duration::hours(2),
    )]));
    let first_service =
        Mocks::at(now() - Duration::minutes(5)).service_over(store.clone(), Policy::default());
    let second_service = Mocks::at(now()).service_over(store.clone(), Policy::default());

    let first = first_service
        .complete(Actor::instructor(INSTRUCTOR), SESSION, " first ")
        .await
        .unwrap();
    let error = second_service
        .complete(Actor::instructor(UserId(2)), SESSION, "second")
        .await
        .unwrap_err();

    assert_eq!(
        error,
        CompleteError::AlreadyCompleted(Box::new(first.clone()))
    );
    let stored = store.rows().remove(0);
    let completion = stored.completion().unwrap();
    assert_eq!(completion.completed_at, now() - Duration::minutes(5));
    assert_eq!(completion.notes.as_ref().map(Notes::as_str), Some("first"));
}

#[tokio::test]
async fn completing_an_unknown_session_is_not_found() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_get().returning(|_| Ok(None));

    let error = mocks
        .service()
        .complete(Actor::instructor(INSTRUCTOR), ScheduledSessionId(404), "")
        .await
        .unwrap_err();

    assert_eq!(error, CompleteError::NotFound(ScheduledSessionId(404)));
}

#[tokio::test]
async fn a_student_cannot_complete_a_session() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_transition().never();

    let error = mocks
        .service()
        .complete(Actor::student(STUDENT), SESSION, "notes")
        .await
        .unwrap_err();

    assert_eq!(error, CompleteError::Forbidden);
}

#[tokio::test]
async fn too_long_notes_for_an_unknown_session_say_not_found() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_transition().never();
    mocks.sessions.expect_get().returning(|_| Ok(None));

    let error = mocks
        .service()
        .complete(
            Actor::instructor(INSTRUCTOR),
            SESSION,
            &"x".repeat(MAX_NOTES_CHARS + 1),
        )
        .await
        .unwrap_err();

    assert_eq!(error, CompleteError::NotFound(SESSION));
}

#[tokio::test]
async fn too_long_notes_for_a_completed_session_say_already_completed() {
    let first = Completion {
        completed_at: now() - Duration::minutes(5),
        completed_by: None,
        notes: Notes::parse("kept").unwrap(),
        student_notes: None,
    };
    let already = completed(first);
    let returned = already.clone();
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_transition().never();
    mocks
        .sessions
        .expect_get()
        .returning(move |_| Ok(Some(entry_of(returned.clone()))));

    let error = mocks
        .service()
        .complete(
            Actor::instructor(INSTRUCTOR),
            SESSION,
            &"x".repeat(MAX_NOTES_CHARS + 1),
        )
        .await
        .unwrap_err();

    assert_eq!(error, CompleteError::AlreadyCompleted(Box::new(already)));
}
