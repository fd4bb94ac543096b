//! Every port method on both backends: sessions booked, listed and completed; rejected
//! input never reported as an outage; accounts and sign-ins.

use chrono::{Duration, Utc};
use sensei_core::ports::AccountRepository;
use sensei_core::*;
use sensei_diesel::testing::{CompleteIfPending, CompleteOutcome};
use sensei_diesel::DatabaseUrl;

use crate::common::{at, book, created, fixture, new_session, TestDb};

async fn books_lists_and_completes(t: TestDb) {
    let f = fixture(&t.db).await;
    let ports = t.db.ports();
    let now = at(2026, 2, 1, 10, 0, 0);
    let session = created(book(&t.db, f.student, f.submission, now).await);
    assert_eq!(session.scheduled_at, now);
    assert_eq!(session.user_id, f.student);
    assert_eq!(session.submission_id, f.submission);
    assert_eq!(
        session.reason,
        RecordedReason::Known(EligibilityReason::NeedsWorkFeedback)
    );
    assert_eq!(session.engagement.total_goals, 3);
    assert!(session.is_open());

    let got = ports.sessions.get(session.id).await.unwrap().unwrap();
    assert_eq!(got.session, session);
    assert_eq!(got.student_email, "alice@example.com");
    assert_eq!(got.challenge_id, f.challenge);
    assert_eq!(got.challenge_name, "Linked lists");
    assert_eq!(
        ports
            .sessions
            .get(ScheduledSessionId(999_999))
            .await
            .unwrap(),
        None
    );

    let latest = ports
        .sessions
        .latest_for(f.student, f.submission)
        .await
        .unwrap();
    assert_eq!(latest, Some(session.clone()));
    assert_eq!(
        ports
            .sessions
            .latest_for(f.other, f.submission)
            .await
            .unwrap(),
        None
    );

    let page = ports
        .sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items, vec![got.clone()]);
    assert_eq!(page.next, None);
    assert_eq!(
        ports
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        1
    );

    let completion = Completion {
        completed_at: now + Duration::minutes(5),
        completed_by: None,
        notes: Notes::parse("  went well  ").unwrap(),
        student_notes: None,
    };
    let done = ports
        .sessions
        .complete_if_pending(session.id, completion.clone())
        .await
        .unwrap();
    let CompleteOutcome::Completed(done) = done else {
        panic!("expected Completed, got {done:?}")
    };
    assert_eq!(done.completion(), Some(&completion));
    assert_eq!(
        done.completion()
            .and_then(|c| c.notes.as_ref())
            .map(Notes::as_str),
        Some("went well")
    );
    let pending = SessionQuery::default();
    let completed = SessionQuery {
        status: StatusFilter::Completed,
        ..SessionQuery::default()
    };
    let all = SessionQuery {
        status: StatusFilter::All,
        ..SessionQuery::default()
    };
    assert_eq!(ports.sessions.count(&pending).await.unwrap(), 0);
    assert_eq!(ports.sessions.count(&completed).await.unwrap(), 1);
    assert_eq!(ports.sessions.count(&all).await.unwrap(), 1);
    assert!(ports
        .sessions
        .list(&pending, PageRequest::default())
        .await
        .unwrap()
        .items
        .is_empty());
    let listed = ports
        .sessions
        .list(&completed, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].session.completion(), Some(&completion));

    let again = ports
        .sessions
        .complete_if_pending(
            session.id,
            Completion {
                completed_at: now + Duration::minutes(9),
                completed_by: None,
                notes: None,
                student_notes: None,
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(again, CompleteOutcome::AlreadyCompleted(ref s) if s.completion() == Some(&completion))
    );
    let missing = ports
        .sessions
        .complete_if_pending(ScheduledSessionId(424_242), completion)
        .await
        .unwrap();
    assert_eq!(missing, CompleteOutcome::NotFound);
}

/// Text PostgreSQL cannot store (NUL) is rejected input, never an outage; SQLite stores it,
/// so there the lookup simply finds nobody. Either way: not `Unavailable`.
async fn a_nul_byte_in_input_is_rejected_input_or_not_found_never_unavailable(t: TestDb) {
    let _ = fixture(&t.db).await;
    let accounts = t.db.accounts();
    let found = accounts.find_by_email("alice\0@example.com").await;
    assert!(
        matches!(found, Ok(None) | Err(RepositoryError::Rejected(_))),
        "{found:?}"
    );
    let created = accounts
        .create("mallory\0@example.com", Role::Student, "hash")
        .await;
    assert!(
        !matches!(
            created,
            Err(RepositoryError::Unavailable(_) | RepositoryError::Internal(_))
        ),
        "{created:?}"
    );
    // And the store still serves.
    assert!(accounts
        .find_by_email("alice@example.com")
        .await
        .unwrap()
        .is_some());
}

async fn foreign_key_violation_is_rejected_input(t: TestDb) {
    let f = fixture(&t.db).await;
    let result =
        t.db.ports()
            .sessions
            .create_unless_recent(
                new_session(f.student, SubmissionId(987_654), at(2026, 1, 1, 0, 0, 0)),
                at(2025, 12, 31, 23, 0, 0),
                u32::MAX,
            )
            .await;
    assert!(
        matches!(result, Err(RepositoryError::Rejected(_))),
        "{result:?}"
    );
}

async fn accounts_round_trip(t: TestDb) {
    let accounts = t.db.accounts();
    let id = accounts
        .create(" Carol@Example.com ", Role::Student, "$argon2id$x")
        .await
        .unwrap();
    let found = accounts
        .find_by_email("Carol@Example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account.id, id);
    assert_eq!(
        found.account.email, "carol@example.com",
        "stored normalised"
    );
    for spelling in [
        "carol@example.com",
        " CAROL@EXAMPLE.COM\t",
        "cArOl@example.Com",
    ] {
        let again = accounts.find_by_email(spelling).await.unwrap();
        assert_eq!(
            again.map(|stored| stored.account.id),
            Some(id),
            "{spelling:?}"
        );
    }
    assert_eq!(found.account.role, Role::Student);
    assert_eq!(found.password_hash, "$argon2id$x");
    assert_eq!(accounts.find_by_id(id).await.unwrap(), Some(found));
    assert_eq!(
        accounts.find_by_email("nobody@example.com").await.unwrap(),
        None
    );
    assert_eq!(accounts.find_by_id(UserId(5_000)).await.unwrap(), None);
    let duplicate = accounts
        .create("CAROL@example.com", Role::Instructor, "x")
        .await;
    assert!(
        matches!(duplicate, Err(RepositoryError::Rejected(_))),
        "{duplicate:?}"
    );
}

async fn sign_ins_follow_the_user_and_end(t: TestDb) {
    let accounts = t.db.accounts();
    let sign_ins = "SELECT COUNT(*) AS n FROM auth_sessions";
    let id = accounts
        .create("dana@example.com", Role::Student, "$argon2id$x")
        .await
        .unwrap();
    let now = Utc::now();
    let later = now + Duration::hours(1);
    let token = accounts.start_sign_in(id, later).await.unwrap();
    let other = accounts.start_sign_in(id, later).await.unwrap();
    assert_ne!(token, other);
    assert_eq!(token.as_str().len(), 43, "32 bytes, base64url");
    assert!(token
        .as_str()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));

    let before = t.counter.get();
    let user = accounts
        .signed_in_account(&token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.counter.get() - before, 1, "one statement per lookup");
    assert_eq!((user.id, user.role), (id, Role::Student));

    // The role and email are read with the sign-in: a change counts at once.
    t.execute_sql(
        "UPDATE users SET role = 'instructor', email = 'dana@example.org' \
         WHERE email = 'dana@example.com'",
    );
    let user = accounts
        .signed_in_account(&token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.role, user.email.as_str()),
        (Role::Instructor, "dana@example.org")
    );

    // Expired, unknown and ended sign-ins sign nobody in.
    assert_eq!(
        accounts.signed_in_account(&token, later).await.unwrap(),
        None,
        "expiry is exclusive"
    );
    assert_eq!(
        accounts
            .signed_in_account(&SignInToken::new("unknown"), now)
            .await
            .unwrap(),
        None
    );
    accounts.end_sign_in(&token).await.unwrap();
    accounts.end_sign_in(&token).await.unwrap();
    assert_eq!(accounts.signed_in_account(&token, now).await.unwrap(), None);
    assert!(accounts
        .signed_in_account(&other, now)
        .await
        .unwrap()
        .is_some());

    // Expired rows go at the next sign-in.
    accounts
        .start_sign_in(id, now - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(t.count_sql(sign_ins), 2);
    let third = accounts.start_sign_in(id, later).await.unwrap();
    assert_eq!(t.count_sql(sign_ins), 2, "the expired one was purged");

    // Deleting the user deletes their sign-ins.
    let delete = "DELETE FROM users WHERE email = 'dana@example.org'";
    match t.url {
        DatabaseUrl::Sqlite(_) => t.execute_sql(&format!("PRAGMA foreign_keys = ON; {delete}")),
        DatabaseUrl::Postgres(_) => t.execute_sql(delete),
    }
    assert_eq!(accounts.signed_in_account(&other, now).await.unwrap(), None);
    assert_eq!(accounts.signed_in_account(&third, now).await.unwrap(), None);
    assert_eq!(t.count_sql(sign_ins), 0);
}

crate::both_backends!(
    books_lists_and_completes,
    a_nul_byte_in_input_is_rejected_input_or_not_found_never_unavailable,
    foreign_key_violation_is_rejected_input,
    accounts_round_trip,
    sign_ins_follow_the_user_and_end,
);
