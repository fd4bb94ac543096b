//! The adapter suite: every test runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::Duration;
use common::{at, fixture, new_session, TestDb};
use sensei_core::ports::{CompleteOutcome, CreateOutcome};
use sensei_core::*;

async fn migrations_are_idempotent(t: TestDb) {
    let again = t.db.migrate().await.unwrap();
    assert!(again.is_empty(), "second run applied {again:?}");
    let again = t.db.migrate_feature_only().await.unwrap();
    assert!(again.is_empty());
    t.db.ping().await.unwrap();
}

async fn books_lists_and_completes(t: TestDb) {
    let f = fixture(&t.db).await;
    let ports = t.db.ports();
    let now = at(2026, 2, 1, 10, 0, 0);
    let created = ports
        .sessions
        .create_unless_recent(
            new_session(f.student, f.submission, now),
            now - Duration::hours(1),
        )
        .await
        .unwrap();
    let CreateOutcome::Created(session) = created else {
        panic!("expected created, got {created:?}")
    };
    assert_eq!(session.scheduled_at, now);
    assert!(session.is_pending());

    let page = ports
        .sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].student_email, "alice@example.com");
    assert_eq!(page.items[0].challenge_name, "Linked lists");
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
        notes: Notes::parse("went well").unwrap(),
    };
    let done = ports
        .sessions
        .complete_if_pending(session.id, completion.clone())
        .await
        .unwrap();
    assert!(
        matches!(done, CompleteOutcome::Completed(ref s) if s.completion() == Some(&completion))
    );
    assert_eq!(
        ports
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        0
    );
}

both_backends!(migrations_are_idempotent, books_lists_and_completes);
