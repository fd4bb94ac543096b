//! The outbox's plumbing over mocked ports: the instants handed to the store (the enabled
//! period, the lease), a cancellation email's reason, an event that sends no email, no
//! link write when no email carries a link, attempts recorded as given, and which reset
//! requests reach the store.

use std::sync::Arc;

use chrono::Duration;

use super::fake::FakeSessions;
use super::*;
use crate::domain::{
    CancelReason, Cancellation, EmailKind, EventKind, NextStep, PasswordError, PasswordFormat,
    ResetRefusal, ResetRequest, RetryPolicy, SessionEvent, SessionState, Skip, FEED_TOKEN_BYTES,
};
use crate::error::{EmailLinkError, RepositoryError};
use crate::ports::{
    EmailAttempt, FoundReset, LeasedEmail, MockEmailStore, MockJitter, MockMeetingStore,
    MockPasswordHasher, MockRandomSource,
};
use crate::services::{EmailPorts, EmailService};

fn service(store: MockEmailStore, session: ScheduledSession, sending: bool) -> EmailService {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let mut random = MockRandomSource::new();
    random
        .expect_feed_secret()
        .returning(|| Ok([7; FEED_TOKEN_BYTES]));
    EmailService::new(
        EmailPorts {
            store: Arc::new(store),
            sessions: Arc::new(FakeSessions::with(vec![session])),
            meetings: Arc::new(MockMeetingStore::new()),
            clock: Arc::new(clock),
            jitter: Arc::new(MockJitter::new()),
            random: Arc::new(random),
        },
        RetryPolicy::default(),
        sending,
    )
}

fn cancelled_session() -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: now() - Duration::minutes(2),
            reason: CancelReason::from_stored("found the bug myself".to_owned()),
        }),
        ..pending_session(1, now() - Duration::hours(1))
    }
}

fn leased(kind: EmailKind, event_kind: EventKind) -> LeasedEmail {
    LeasedEmail {
        email_id: 5,
        kind,
        recipient: STUDENT,
        recipient_email: Some("alice@example.com".to_owned()),
        opted_out: false,
        recipient_time_zone: None,
        event: Some(SessionEvent {
            session_id: ScheduledSessionId(1),
            occurred_at: now() - Duration::minutes(2),
            actor: Some(STUDENT),
            actor_email: Some("alice@example.com".to_owned()),
            kind: event_kind,
            from_state: Some(SessionState::Pending),
            to_state: SessionState::Cancelled,
            detail: None,
        }),
        reset: None,
        attempts: 0,
        created_at: now(),
    }
}

#[tokio::test]
async fn the_outbox_is_kept_enabled_for_the_period_from_now() {
    let mut store = MockEmailStore::new();
    store
        .expect_keep_enabled()
        .withf(|until| *until == now() + Duration::minutes(10))
        .times(1)
        .returning(|_| Ok(()));
    let service = service(store, pending_session(1, now()), true);
    assert!(service.is_sending());
    assert_eq!(service.keep_enabled(Duration::minutes(10)).await, Ok(()));
    assert!(!self::service(MockEmailStore::new(), pending_session(1, now()), false).is_sending());
}

#[tokio::test]
async fn a_cancellation_email_carries_the_reason_and_an_event_of_another_kind_sends_nothing() {
    let mut store = MockEmailStore::new();
    store
        .expect_lease_due()
        .withf(|owner, at, until, limit| {
            owner == "worker-1"
                && *at == now()
                && *until == now() + Duration::minutes(3)
                && *limit == 20
        })
        .times(1)
        .returning(|_, _, _, _| {
            Ok(vec![
                leased(EmailKind::Cancelled, EventKind::Cancelled),
                // A row whose event is not the email's own (a bug or a hand-edited row).
                leased(EmailKind::Completed, EventKind::Cancelled),
            ])
        });
    store
        .expect_save_links()
        .withf(|links, at| links.len() == 1 && *at == now())
        .times(1)
        .returning(|_, _| Ok(()));
    let due = service(store, cancelled_session(), true)
        .lease_due("worker-1", 20, Duration::minutes(3))
        .await
        .unwrap();
    let content = due[0].prepared.as_ref().unwrap();
    assert_eq!(
        content.cancel_reason.as_deref(),
        Some("found the bug myself")
    );
    assert_eq!(content.notes_for_student, None);
    assert_eq!(content.instructor_email, None);
    assert!(content.unsubscribe.is_some());
    assert_eq!(due[1].prepared, Err(Skip::NotSent));
}

#[tokio::test]
async fn no_links_are_written_when_every_email_is_skipped() {
    let mut store = MockEmailStore::new();
    store.expect_lease_due().times(1).returning(|_, _, _, _| {
        Ok(vec![LeasedEmail {
            opted_out: true,
            ..leased(EmailKind::Cancelled, EventKind::Cancelled)
        }])
    });
    store.expect_save_links().never();
    let due = service(store, cancelled_session(), true)
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due[0].prepared, Err(Skip::OptedOut));
}

#[tokio::test]
async fn attempts_are_recorded_as_given_and_a_failure_to_record_is_reported() {
    let attempt = EmailAttempt {
        email_id: 5,
        owner: "w".to_owned(),
        attempted_at: now(),
        next: NextStep::Delivered,
        skipped: None,
        error: None,
    };
    let expected = attempt.clone();
    let mut store = MockEmailStore::new();
    store
        .expect_record()
        .withf(move |attempts| *attempts == [expected.clone()])
        .times(1)
        .returning(|_| Err(RepositoryError::Unavailable("locked".into())));
    assert_eq!(
        service(store, pending_session(1, now()), true)
            .record(vec![attempt])
            .await,
        Err(RepositoryError::Unavailable("locked".into()))
    );
}

#[tokio::test]
async fn only_a_plausible_email_reaches_the_store_normalized() {
    let mut store = MockEmailStore::new();
    store
        .expect_request_reset()
        .withf(|email, at| email == "amy@example.org" && *at == now())
        .times(1)
        .returning(|_, _| Ok(true));
    let service = service(store, pending_session(1, now()), true);
    for implausible in ["", "   ", "amy.example.org"] {
        assert_eq!(
            service.request_reset(implausible).await,
            Ok(()),
            "{implausible:?}"
        );
    }
    assert_eq!(service.request_reset("  Amy@Example.ORG ").await, Ok(()));
}

#[tokio::test]
async fn a_store_failure_on_a_reset_request_is_reported() {
    let mut store = MockEmailStore::new();
    store
        .expect_request_reset()
        .times(1)
        .returning(|_, _| Err(RepositoryError::Unavailable("down".into())));
    assert_eq!(
        service(store, pending_session(1, now()), true)
            .request_reset("amy@example.org")
            .await,
        Err(EmailLinkError::Repository(RepositoryError::Unavailable(
            "down".into()
        )))
    );
}

#[tokio::test]
async fn a_password_is_reset_once_through_a_working_link() {
    let link = "c".repeat(64);
    let mut store = MockEmailStore::new();
    store.expect_find_reset().returning(|_| {
        Ok(Some(FoundReset {
            request_id: 9,
            user: STUDENT,
            request: ResetRequest {
                requested_at: now() - Duration::minutes(5),
                used_at: None,
            },
        }))
    });
    let mut answers = vec![false, true];
    store
        .expect_complete_reset()
        .withf(|request_id, hash, at| *request_id == 9 && hash == "hashed" && *at == now())
        .times(2)
        .returning(move |_, _, _| Ok(answers.pop().unwrap()));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .withf(|_, format| *format == PasswordFormat::Argon2)
        .times(2)
        .returning(|_, _| Ok("hashed".to_owned()));
    let service = service(store, pending_session(1, now()), true);
    let reset = |password: &str| {
        service.reset_password(&link, password.to_owned(), &hasher, PasswordFormat::Argon2)
    };
    assert_eq!(reset("correct horse battery").await, Ok(()));
    // The store says another request used the link meanwhile.
    assert_eq!(
        reset("correct horse battery").await,
        Err(EmailLinkError::Reset(ResetRefusal::Used))
    );
    // A password the rules refuse changes nothing and is not hashed.
    assert_eq!(
        reset("short").await,
        Err(EmailLinkError::Password(PasswordError::TooShort))
    );
}
