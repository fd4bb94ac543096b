//! Email at the adapter, on SQLite and PostgreSQL: the outbox is filled by the event's own
//! transaction only while email is on and only for the events that email the student; rows
//! hold ids, not addresses; leases exclude a second worker; recorded attempts close or
//! reschedule a row; opt-out links work by digest; reset requests work once; meeting details
//! are kept per session and instructor.

use std::sync::Arc;

use chrono::{Duration, Utc};
use sensei_core::ports::{
    EmailAttempt, EmailStore, LinkDigest, MeetingStore, PreferenceStore, SystemClock,
};
use sensei_core::services::{EmailPorts, EmailService};
use sensei_core::*;

use crate::common::{book, created, fixture, TestDb};

struct NoJitter;
impl sensei_core::ports::Jitter for NoJitter {
    fn unit(&self) -> f64 {
        0.0
    }
}

struct Fixed;
impl sensei_core::ports::RandomSource for Fixed {
    fn feed_secret(&self) -> Result<[u8; FEED_TOKEN_BYTES], RepositoryError> {
        Ok([9; FEED_TOKEN_BYTES])
    }
}

fn service(t: &TestDb) -> EmailService {
    let ports = t.db.ports();
    EmailService::new(
        EmailPorts {
            store: Arc::new(t.db.email()),
            sessions: ports.sessions,
            meetings: Arc::new(t.db.meetings()),
            clock: Arc::new(SystemClock),
            jitter: Arc::new(NoJitter),
            random: Arc::new(Fixed),
        },
        RetryPolicy::default(),
        true,
    )
}

fn outbox(t: &TestDb) -> i64 {
    t.count_sql("SELECT COUNT(*) AS n FROM email_deliveries")
}

async fn the_outbox_fills_only_while_email_is_on_and_only_for_student_events(t: TestDb) {
    let f = fixture(&t.db).await;
    let first = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    assert_eq!(outbox(&t), 0, "email off: no row");
    let email = service(&t);
    email.keep_enabled(Duration::minutes(5)).await.unwrap();
    let submission =
        t.db.platform_writer()
            .create_submission(f.student, f.challenge, Utc::now() - Duration::days(1))
            .await
            .unwrap();
    let second = created(book(&t.db, f.student, submission, Utc::now()).await);
    assert_eq!(outbox(&t), 1, "the receipt");
    let sensei = SenseiService::new(t.db.ports(), Policy::default())
        .with_meetings(Arc::new(t.db.meetings()));
    let instructor = Actor::instructor(f.instructor);
    let meeting = Meeting::parse("https://meet.example.org/r", "2026-12-08T14:30").unwrap();
    sensei
        .claim_with_meeting(instructor, second.id, meeting.clone())
        .await
        .unwrap();
    sensei.renew_claim(instructor, second.id).await.unwrap();
    sensei.release_claim(instructor, second.id).await.unwrap();
    assert_eq!(
        outbox(&t),
        2,
        "a claim emails, a renewal and a release do not"
    );
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM email_deliveries WHERE recipient_id IS NOT NULL AND kind = 'claimed'"),
        1
    );
    let stored =
        t.db.meetings()
            .meetings(vec![second.id, first.id])
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].instructor, f.instructor);
    assert_eq!(Some(stored[0].meeting.clone()), meeting);

    let due = email
        .lease_due("w1", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    let receipt = due[0].prepared.as_ref().unwrap();
    assert_eq!(receipt.kind, EmailKind::Booked);
    assert_eq!(receipt.to, "alice@example.com");
    assert_eq!(receipt.challenge.as_deref(), Some("Linked lists"));
    let claim = due[1].prepared.as_ref().unwrap();
    assert_eq!(
        claim.instructor_email.as_deref(),
        Some("sensei@example.com")
    );
    assert_eq!(claim.meeting, meeting, "the claiming instructor's details");
    assert!(
        email
            .lease_due("w2", 10, Duration::minutes(1))
            .await
            .unwrap()
            .is_empty(),
        "leased rows are not leased again"
    );
    let now = Utc::now();
    email
        .record(vec![
            EmailAttempt {
                email_id: due[0].leased.email_id,
                owner: "w1".into(),
                attempted_at: now,
                next: NextStep::Delivered,
                skipped: None,
                error: None,
            },
            EmailAttempt {
                email_id: due[1].leased.email_id,
                owner: "w1".into(),
                attempted_at: now,
                next: NextStep::RetryAt(now - Duration::seconds(1)),
                skipped: None,
                error: Some("connection refused".into()),
            },
        ])
        .await
        .unwrap();
    let again = email
        .lease_due("w2", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "the failed one is due again");
    assert_eq!(again[0].leased.attempts, 1);
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM email_deliveries WHERE status = 'sent'"),
        1
    );
}

async fn opt_out_links_work_by_digest_and_stop_session_emails(t: TestDb) {
    let f = fixture(&t.db).await;
    let email = service(&t);
    email.keep_enabled(Duration::minutes(5)).await.unwrap();
    created(book(&t.db, f.student, f.submission, Utc::now()).await);
    // The recipient's time zone comes with the lease (emails write times in it).
    t.db.preferences()
        .set_time_zone(
            f.student,
            Some(TimeZoneName::from_catalog("Asia/Tokyo")),
            Utc::now(),
        )
        .await
        .unwrap();
    let due = email
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        due[0].leased.recipient_time_zone.as_deref(),
        Some("Asia/Tokyo")
    );
    let secret = due[0]
        .prepared
        .as_ref()
        .unwrap()
        .unsubscribe
        .clone()
        .unwrap();
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM email_links WHERE digest = '{}'",
            secret.digest()
        )),
        1,
        "the digest is stored, not the secret"
    );
    assert_eq!(
        email.opt_out(&"0".repeat(64)).await,
        Err(EmailLinkError::UnknownLink)
    );
    email.opt_out(secret.as_str()).await.unwrap();
    email.opt_out(secret.as_str()).await.unwrap();
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM email_opt_outs"), 1);
    t.db.email()
        .record(vec![EmailAttempt {
            email_id: due[0].leased.email_id,
            owner: "w".into(),
            attempted_at: Utc::now(),
            next: NextStep::RetryAt(Utc::now() - Duration::seconds(1)),
            skipped: None,
            error: None,
        }])
        .await
        .unwrap();
    let due = email
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due[0].prepared, Err(Skip::OptedOut));
}

async fn a_reset_request_works_once_for_enabled_accounts_only(t: TestDb) {
    let f = fixture(&t.db).await;
    let email = service(&t);
    email.request_reset("nobody@example.org").await.unwrap();
    assert_eq!(outbox(&t), 0, "no account, no row");
    email.request_reset(" Alice@Example.com ").await.unwrap();
    assert_eq!(outbox(&t), 1, "even while session emails are off");
    let due = email
        .lease_due("w", 10, Duration::minutes(1))
        .await
        .unwrap();
    let secret = due[0].prepared.as_ref().unwrap().reset.clone().unwrap();
    let found = email.check_reset(secret.as_str()).await.unwrap();
    assert_eq!(found.user, f.student);
    assert!(t
        .db
        .email()
        .complete_reset(found.request_id, "new-hash".into(), Utc::now())
        .await
        .unwrap());
    assert!(!t
        .db
        .email()
        .complete_reset(found.request_id, "other".into(), Utc::now())
        .await
        .unwrap());
    assert_eq!(
        email.check_reset(secret.as_str()).await.map(|_| ()),
        Err(EmailLinkError::Reset(ResetRefusal::Used))
    );
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM users WHERE password_hash = 'new-hash'"),
        1
    );
    t.db.email()
        .save_links(
            vec![LinkDigest::Reset {
                request_id: found.request_id,
                digest: "x".into(),
            }],
            Utc::now(),
        )
        .await
        .unwrap();
    t.execute_sql("UPDATE users SET disabled_at = created_at WHERE email = 'bob_100%@example.com'");
    email.request_reset("bob_100%@example.com").await.unwrap();
    assert_eq!(outbox(&t), 1, "a disabled account cannot reset");
}

crate::both_backends!(
    the_outbox_fills_only_while_email_is_on_and_only_for_student_events,
    opt_out_links_work_by_digest_and_stop_session_emails,
    a_reset_request_works_once_for_enabled_accounts_only,
);
