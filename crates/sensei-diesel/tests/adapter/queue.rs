//! The queue on both backends: paging and filters, a constant number of statements per page,
//! hand-written reads prepared once per connection.

use chrono::Duration;
use sensei_core::ports::CreateOutcome;
use sensei_core::*;
use sensei_diesel::{Database, PoolOptions};

use crate::common::{at, book, created, fixture, new_session, window, TestDb};

async fn queue_pages_and_filters(t: TestDb) {
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    let (other_challenge, _) = writer
        .create_challenge("Graphs", "BFS", &["bfs"])
        .await
        .unwrap();
    let other_submission = writer
        .create_submission(f.other, other_challenge, at(2026, 1, 1, 0, 0, 0))
        .await
        .unwrap();
    let sessions = t.db.ports().sessions;
    // Alice: 4 sessions two hours apart; Bob: 3 interleaved, digi-trainer reason; two rows
    // share one scheduled_at to exercise the id tie-break.
    let base = at(2026, 7, 1, 8, 0, 0);
    let mut expected = Vec::new();
    for i in 0..4 {
        let now = base + Duration::hours(2 * i);
        expected.push(created(book(&t.db, f.student, f.submission, now).await).id);
    }
    for i in 0..3 {
        let now = base + Duration::hours(2 * i);
        let mut new = new_session(f.other, other_submission, now);
        new.reason = EligibilityReason::DigiTrainerEngagement;
        let CreateOutcome::Created(s) = sessions
            .create_unless_recent(new, window(now), u32::MAX)
            .await
            .unwrap()
        else {
            panic!("expected created")
        };
        expected.push(s.id);
    }
    // Queue order: scheduled_at then id.
    let all_rows = {
        let mut page = PageRequest {
            size: PageSize::new(2).unwrap(),
            after: None,
        };
        let mut rows = Vec::new();
        loop {
            let result = sessions.list(&SessionQuery::default(), page).await.unwrap();
            assert!(result.items.len() <= 2);
            rows.extend(result.items);
            match result.next {
                Some(cursor) => page.after = Some(cursor),
                None => break,
            }
        }
        rows
    };
    assert_eq!(all_rows.len(), 7);
    let keys: Vec<_> = all_rows
        .iter()
        .map(|r| (r.session.scheduled_at, r.session.id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let mut ids: Vec<_> = keys.iter().map(|k| k.1).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);

    let by_reason = SessionQuery {
        reason: Some(EligibilityReason::DigiTrainerEngagement),
        ..SessionQuery::default()
    };
    let page = sessions
        .list(&by_reason, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(page
        .items
        .iter()
        .all(|r| r.student_email.starts_with("bob")));
    assert_eq!(sessions.count(&by_reason).await.unwrap(), 3);

    let by_challenge = SessionQuery {
        challenge_id: Some(f.challenge),
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&by_challenge).await.unwrap(), 4);
    let page = sessions
        .list(&by_challenge, PageRequest::default())
        .await
        .unwrap();
    assert!(page
        .items
        .iter()
        .all(|r| r.challenge_name == "Linked lists"));

    let search = |needle: &str| SessionQuery {
        student_email_contains: Some(needle.to_owned()),
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&search("ALICE")).await.unwrap(), 4);
    assert_eq!(sessions.count(&search("100%")).await.unwrap(), 3);
    // Wildcards are literal: `%` alone matches only emails containing `%`, `_` only `_`.
    assert_eq!(sessions.count(&search("%")).await.unwrap(), 3);
    assert_eq!(sessions.count(&search("b_1")).await.unwrap(), 3);
    assert_eq!(sessions.count(&search("a_i")).await.unwrap(), 0);
    assert_eq!(sessions.count(&search("nobody")).await.unwrap(), 0);
    let page = sessions
        .list(&search("100%"), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);

    let combined = SessionQuery {
        reason: Some(EligibilityReason::NeedsWorkFeedback),
        challenge_id: Some(other_challenge),
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&combined).await.unwrap(), 0);
    assert_eq!(sessions.count(&SessionQuery::default()).await.unwrap(), 7);
}

async fn list_uses_constant_statements(t: TestDb) {
    let f = fixture(&t.db).await;
    let sessions = t.db.ports().sessions;
    let base = at(2026, 8, 1, 0, 0, 0);
    let measure = || async {
        let before = t.counter.get();
        let page = sessions
            .list(&SessionQuery::default(), PageRequest::default())
            .await
            .unwrap();
        let count = sessions.count(&SessionQuery::default()).await.unwrap();
        (t.counter.get() - before, page.items.len(), count)
    };
    for i in 0..10 {
        let now = base + Duration::hours(2 * i);
        created(book(&t.db, f.student, f.submission, now).await);
    }
    let (small, rows, count) = measure().await;
    assert_eq!((rows, count), (10, 10));
    for i in 10..1_000 {
        let now = base + Duration::hours(2 * i);
        created(book(&t.db, f.student, f.submission, now).await);
    }
    let (large, rows, count) = measure().await;
    assert_eq!((rows, count), (25, 1_000));
    assert_eq!(small, large, "statements for 10 vs 1000 sessions");
    assert!(small <= 2, "{small} statements for one page and its count");

    let before = t.counter.get();
    t.db.ports()
        .digi_trainer
        .sessions_with_messages(f.student, f.challenge, 20, 3)
        .await
        .unwrap();
    assert!(t.counter.get() - before <= 2);
}

/// The detail page's hand-written statements (submission, digi-trainer sessions and their
/// messages, conversations and theirs) are prepared once per connection: on a one-connection
/// pool, the first read puts each statement it runs into the cache, and reading again prepares
/// nothing new.
async fn hand_written_reads_are_prepared_once(t: TestDb) {
    let f = fixture(&t.db).await;
    let counter = sensei_diesel::StatementCounter::new();
    let one = Database::connect_counting_statements(
        &t.url,
        PoolOptions {
            max_connections: 1,
            connection_timeout: std::time::Duration::from_secs(10),
        },
        counter.clone(),
    )
    .unwrap();
    let ports = one.ports();
    let read_detail = || async {
        ports.submissions.get(f.submission).await.unwrap().unwrap();
        ports
            .digi_trainer
            .sessions_with_messages(f.student, f.challenge, 20, 3)
            .await
            .unwrap();
        ports.anatomy.conversations(f.submission, 10).await.unwrap();
        let queue = SessionQuery {
            status: StatusFilter::Open,
            ..SessionQuery::default()
        };
        let mine = SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(f.instructor),
            ..SessionQuery::default()
        };
        ports
            .sessions
            .dashboard(
                &queue,
                &mine,
                &SessionQuery {
                    status: StatusFilter::Claimed,
                    ..SessionQuery::default()
                },
                PageRequest::default(),
            )
            .await
            .unwrap();
    };
    let (started, cached) = (counter.get(), counter.cached());
    read_detail().await;
    let first_run = counter.get() - started;
    assert!(first_run >= 3, "{first_run} statements");
    assert_eq!(
        counter.cached() - cached,
        first_run,
        "every statement of the first read is kept"
    );
    // A change in between, so that the dashboard is read again rather than kept.
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    let (started, cached) = (counter.get(), counter.cached());
    read_detail().await;
    assert_eq!(
        counter.get() - started,
        first_run,
        "the same statements again"
    );
    assert_eq!(counter.cached(), cached, "nothing prepared anew");
}

crate::both_backends!(
    queue_pages_and_filters,
    list_uses_constant_statements,
    hand_written_reads_are_prepared_once,
);
