//! The email use cases over mocked ports: what each leased email says (from the data as it is
//! when sent), who is skipped, the retry schedule per kind, the opt-out and reset links, and
//! meeting details given with a claim.

use std::sync::{Arc, Mutex};

use chrono::Duration;

use super::fake::FakeSessions;
use super::*;
use crate::domain::{
    Actor, Completion, EmailKind, EventKind, Meeting, MeetingLink, NextStep, Notes, ResetRefusal,
    ResetRequest, RetryPolicy, SessionEvent, SessionState, Skip, StoredMeeting, FEED_TOKEN_BYTES,
};
use crate::error::EmailLinkError;
use crate::ports::{
    FoundReset, LeasedEmail, LinkDigest, MockEmailStore, MockJitter, MockMeetingStore,
    MockRandomSource,
};
use crate::services::{EmailPorts, EmailService};

const ANN: UserId = UserId(21);

fn event(kind: EventKind, actor: Option<UserId>) -> SessionEvent {
    SessionEvent {
        session_id: ScheduledSessionId(1),
        occurred_at: now(),
        actor,
        actor_email: actor.map(|_| "ann@example.com".to_owned()),
        kind,
        from_state: None,
        to_state: SessionState::Pending,
        detail: None,
    }
}

fn leased(kind: EmailKind, event: Option<SessionEvent>) -> LeasedEmail {
    LeasedEmail {
        email_id: 5,
        kind,
        recipient: STUDENT,
        recipient_email: Some("alice@example.com".to_owned()),
        opted_out: false,
        recipient_time_zone: Some("Asia/Tokyo".to_owned()),
        event,
        reset: None,
        attempts: 0,
        created_at: now(),
    }
}

struct Setup {
    store: MockEmailStore,
    sessions: Arc<FakeSessions>,
    meetings: MockMeetingStore,
    sending: bool,
}

impl Setup {
    fn new(leases: Vec<LeasedEmail>, session: ScheduledSession) -> Self {
        let mut store = MockEmailStore::new();
        store
            .expect_lease_due()
            .return_once(move |_, _, _, _| Ok(leases));
        Setup {
            store,
            sessions: Arc::new(FakeSessions::with(vec![session])),
            meetings: MockMeetingStore::new(),
            sending: true,
        }
    }

    fn service(self) -> EmailService {
        let mut clock = crate::ports::MockClock::new();
        clock.expect_now().returning(now);
        let mut jitter = MockJitter::new();
        jitter.expect_unit().returning(|| 0.0);
        let mut random = MockRandomSource::new();
        random
            .expect_feed_secret()
            .returning(|| Ok([7; FEED_TOKEN_BYTES]));
        EmailService::new(
            EmailPorts {
                store: Arc::new(self.store),
                sessions: self.sessions,
                meetings: Arc::new(self.meetings),
                clock: Arc::new(clock),
                jitter: Arc::new(jitter),
                random: Arc::new(random),
            },
            RetryPolicy::default(),
            self.sending,
        )
    }
}

fn pending() -> ScheduledSession {
    pending_session(1, now() - Duration::hours(1))
}

#[tokio::test]
async fn a_completion_email_carries_the_notes_for_the_student_and_an_opt_out_link() {
    let done = ScheduledSession {
        lifecycle: SessionLifecycle::Completed(Completion {
            completed_at: now(),
            completed_by: Some(ANN),
            notes: Some(Notes::parse("private").unwrap().unwrap()),
            student_notes: Some(Notes::parse("Read chapter 3").unwrap().unwrap()),
        }),
        ..pending()
    };
    let mut setup = Setup::new(
        vec![leased(
            EmailKind::Completed,
            Some(event(EventKind::Completed, Some(ANN))),
        )],
        done,
    );
    let saved = Arc::new(Mutex::new(Vec::new()));
    let keep = saved.clone();
    setup.store.expect_save_links().returning(move |links, _| {
        keep.lock().unwrap().extend(links);
        Ok(())
    });
    let due = setup
        .service()
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    let content = due[0].prepared.clone().unwrap();
    assert_eq!(content.notes_for_student.as_deref(), Some("Read chapter 3"));
    assert_eq!(content.challenge.as_deref(), Some("Linked lists"));
    assert_eq!(content.instructor_email.as_deref(), Some("ann@example.com"));
    assert_eq!(
        content.time_zone.as_deref(),
        Some("Asia/Tokyo"),
        "times are written in the recipient's zone"
    );
    let secret = content.unsubscribe.unwrap();
    assert_eq!(
        saved.lock().unwrap().as_slice(),
        [LinkDigest::Unsubscribe {
            user: STUDENT,
            digest: secret.digest()
        }],
        "only the digest is stored"
    );
}

#[tokio::test]
async fn opted_out_and_erased_recipients_are_skipped_but_a_reset_still_goes() {
    let opted_out = LeasedEmail {
        opted_out: true,
        ..leased(EmailKind::Booked, Some(event(EventKind::Booked, None)))
    };
    let erased = LeasedEmail {
        recipient_email: None,
        ..leased(EmailKind::Booked, Some(event(EventKind::Booked, None)))
    };
    let reset = LeasedEmail {
        opted_out: true,
        reset: Some((
            9,
            ResetRequest {
                requested_at: now(),
                used_at: None,
            },
        )),
        ..leased(EmailKind::PasswordReset, None)
    };
    let mut setup = Setup::new(vec![opted_out, erased, reset], pending());
    setup.store.expect_save_links().returning(|links, _| {
        assert!(matches!(
            links.as_slice(),
            [LinkDigest::Reset { request_id: 9, .. }]
        ));
        Ok(())
    });
    let due = setup
        .service()
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due[0].prepared, Err(Skip::OptedOut));
    assert_eq!(due[1].prepared, Err(Skip::Gone));
    assert!(due[2].prepared.as_ref().unwrap().reset.is_some());
}

#[tokio::test]
async fn a_claim_email_shows_the_claiming_instructors_meeting_only() {
    let meeting = Meeting {
        link: Some(MeetingLink::parse("https://meet.example.org/ann").unwrap()),
        at: None,
    };
    let mut setup = Setup::new(
        vec![leased(
            EmailKind::Claimed,
            Some(event(EventKind::Claimed, Some(ANN))),
        )],
        pending(),
    );
    let stored = vec![
        StoredMeeting {
            session_id: ScheduledSessionId(1),
            instructor: UserId(99),
            meeting: Meeting {
                link: Some(MeetingLink::parse("https://other.example.org").unwrap()),
                at: None,
            },
        },
        StoredMeeting {
            session_id: ScheduledSessionId(1),
            instructor: ANN,
            meeting: meeting.clone(),
        },
    ];
    setup
        .meetings
        .expect_meetings()
        .return_once(move |_| Ok(stored));
    setup.store.expect_save_links().returning(|_, _| Ok(()));
    let due = setup
        .service()
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due[0].prepared.as_ref().unwrap().meeting, Some(meeting));
}

#[tokio::test]
async fn a_spent_reset_is_not_sent_and_retries_stop_when_the_link_would_expire() {
    let spent = LeasedEmail {
        reset: Some((
            9,
            ResetRequest {
                requested_at: now() - Duration::minutes(31),
                used_at: None,
            },
        )),
        ..leased(EmailKind::PasswordReset, None)
    };
    let setup = Setup::new(vec![spent.clone()], pending());
    let service = setup.service();
    let due = service
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due[0].prepared, Err(Skip::ResetSpent));
    let old = LeasedEmail {
        created_at: now() - Duration::minutes(30),
        ..spent
    };
    assert_eq!(service.next_step(&old, false, now()), NextStep::GaveUp);
    let booked = leased(EmailKind::Booked, None);
    assert_eq!(
        service.next_step(&booked, false, now()),
        NextStep::RetryAt(now() + Duration::seconds(10))
    );
    assert_eq!(service.next_step(&booked, true, now()), NextStep::Delivered);
}

#[tokio::test]
async fn links_are_checked_before_any_lookup_and_a_used_reset_refuses() {
    let mut setup = Setup::new(Vec::new(), pending());
    setup.store.expect_opt_out().returning(|_, _| Ok(None));
    setup.store.expect_find_reset().returning(|_| {
        Ok(Some(FoundReset {
            request_id: 9,
            user: STUDENT,
            request: ResetRequest {
                requested_at: now(),
                used_at: Some(now()),
            },
        }))
    });
    let service = setup.service();
    assert_eq!(
        service.opt_out("nope").await,
        Err(EmailLinkError::UnknownLink)
    );
    assert_eq!(
        service.opt_out(&"a".repeat(64)).await,
        Err(EmailLinkError::UnknownLink)
    );
    assert_eq!(
        service.check_reset(&"a".repeat(64)).await.map(|_| ()),
        Err(EmailLinkError::Reset(ResetRefusal::Used))
    );
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_unknown_accounts_and_needs_email_on() {
    let mut setup = Setup::new(Vec::new(), pending());
    setup
        .store
        .expect_request_reset()
        .returning(|_, _| Ok(false));
    let service = setup.service();
    assert_eq!(service.request_reset("nobody@example.org").await, Ok(()));
    let mut off = Setup::new(Vec::new(), pending());
    off.sending = false;
    assert_eq!(
        off.service().request_reset("a@example.org").await,
        Err(EmailLinkError::Off)
    );
}

#[tokio::test]
async fn meeting_details_are_stored_under_the_instructor_before_the_claim() {
    let store = Arc::new(FakeSessions::with(vec![pending()]));
    let mut meetings = MockMeetingStore::new();
    meetings
        .expect_set_meeting()
        .withf(|session, instructor, meeting| {
            *session == ScheduledSessionId(1) && *instructor == ANN && meeting.is_some()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let service = Mocks::at(now())
        .service_over(store.clone(), Policy::default())
        .with_meetings(Arc::new(meetings));
    let meeting = Meeting::parse("https://meet.example.org/x", "").unwrap();
    let claimed = service
        .claim_with_meeting(Actor::instructor(ANN), ScheduledSessionId(1), meeting)
        .await
        .unwrap();
    assert_eq!(claimed.state_at(now()), SessionState::Claimed);
    let refused = Mocks::at(now())
        .service_over(store, Policy::default())
        .claim_with_meeting(Actor::student(STUDENT), ScheduledSessionId(1), None)
        .await;
    assert!(
        refused.is_err(),
        "students are refused before anything is stored"
    );
}
