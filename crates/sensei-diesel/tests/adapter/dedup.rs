//! Deduplication on both backends: the window's edge, concurrent bookings in one process and
//! in two, and one winner among concurrent completions.

use std::sync::Arc;

use chrono::{Duration, Utc};
use sensei_core::ports::CreateOutcome;
use sensei_core::*;
use sensei_diesel::testing::{CompleteIfPending, CompleteOutcome};
use sensei_diesel::DatabaseUrl;

use crate::common::{at, book, created, fixture, new_session, window, TestDb};

async fn dedup_window_boundary_is_exclusive(t: TestDb) {
    let f = fixture(&t.db).await;
    let first_at = at(2026, 4, 1, 12, 0, 0);
    let first = created(book(&t.db, f.student, f.submission, first_at).await);

    // 59:59 later: a duplicate; the existing session is returned.
    let almost = first_at + Duration::minutes(59) + Duration::seconds(59);
    match book(&t.db, f.student, f.submission, almost).await {
        CreateOutcome::Existing(existing) => assert_eq!(existing, first),
        other => panic!("expected Existing, got {other:?}"),
    }
    // Sub-second precision counts too: one microsecond inside the window.
    let inside = first_at + Duration::hours(1) - Duration::microseconds(1);
    assert!(matches!(
        book(&t.db, f.student, f.submission, inside).await,
        CreateOutcome::Existing(_)
    ));
    // Another student or another submission is not a duplicate.
    let other_submission =
        t.db.platform_writer()
            .create_submission(f.student, f.challenge, first_at)
            .await
            .unwrap();
    created(book(&t.db, f.student, other_submission, almost).await);

    // Exactly 60:00 later: not a duplicate.
    let exactly = first_at + Duration::hours(1);
    let second = created(book(&t.db, f.student, f.submission, exactly).await);
    assert_ne!(second.id, first.id);
    // The latest one is what a further duplicate returns.
    match book(
        &t.db,
        f.student,
        f.submission,
        exactly + Duration::minutes(1),
    )
    .await
    {
        CreateOutcome::Existing(existing) => assert_eq!(existing.id, second.id),
        other => panic!("expected Existing, got {other:?}"),
    }
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE submission_id = {}",
            f.submission
        )),
        2
    );
}

async fn concurrent_bookings_create_one_row(t: TestDb) {
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    for round in 0..20 {
        let submission = writer
            .create_submission(f.student, f.challenge, at(2026, 1, 1, 0, 0, 0))
            .await
            .unwrap();
        let start = Arc::new(tokio::sync::Barrier::new(50));
        let mut tasks = Vec::new();
        for task in 0..50 {
            let sessions = t.db.ports().sessions;
            let start = Arc::clone(&start);
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let now = at(2026, 5, 1, 9, 0, 0) + Duration::milliseconds(task);
                sessions
                    .create_unless_recent(
                        new_session(f.student, submission, now),
                        window(now),
                        u32::MAX,
                    )
                    .await
            }));
        }
        let mut created = 0;
        for task in tasks {
            if let CreateOutcome::Created(_) = task.await.unwrap().unwrap() {
                created += 1;
            }
        }
        assert_eq!(created, 1, "round {round}: {created} created");
        assert_eq!(
            t.count_sql(&format!(
                "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE submission_id = {submission}"
            )),
            1,
            "round {round}"
        );
    }
    assert_eq!(
        t.db.ports()
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        20
    );
}

async fn two_processes_book_once(t: TestDb) {
    let f = fixture(&t.db).await;
    let url = match &t.url {
        DatabaseUrl::Sqlite(path) => path.to_string_lossy().into_owned(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    // A program, not a test: `tests/bin/booker.rs`.
    let exe = env!("CARGO_BIN_EXE_sensei-diesel-booker");
    for round in 0..3 {
        let submission =
            t.db.platform_writer()
                .create_submission(f.student, f.challenge, at(2026, 1, 1, 0, 0, 0))
                .await
                .unwrap();
        let start_ms = Utc::now().timestamp_millis() + 1_500;
        let children: Vec<_> = (0..2)
            .map(|_| {
                std::process::Command::new(exe)
                    .arg(&url)
                    .arg(f.student.to_string())
                    .arg(submission.to_string())
                    .arg(start_ms.to_string())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut total_created = 0;
        for child in children {
            let output = tokio::task::spawn_blocking(move || child.wait_with_output())
                .await
                .unwrap()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "child failed: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let created: u32 = stdout
                .lines()
                .find_map(|line| line.strip_prefix("CHILD_CREATED="))
                .unwrap_or_else(|| panic!("child did not report: {stdout}"))
                .trim()
                .parse()
                .unwrap();
            total_created += created;
        }
        assert_eq!(total_created, 1, "round {round}");
        assert_eq!(
            t.count_sql(&format!(
                "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE submission_id = {submission}"
            )),
            1,
            "round {round}"
        );
    }
}

async fn double_completion_has_one_winner(t: TestDb) {
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    for round in 0..10 {
        let submission = writer
            .create_submission(f.student, f.challenge, at(2026, 1, 1, 0, 0, 0))
            .await
            .unwrap();
        let session = created(book(&t.db, f.student, submission, at(2026, 6, 1, 9, 0, 0)).await);
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let mut tasks = Vec::new();
        for instructor in 0..2 {
            let sessions = t.db.ports().sessions;
            let start = Arc::clone(&start);
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let completion = Completion {
                    completed_at: at(2026, 6, 1, 10, 0, instructor),
                    completed_by: None,
                    notes: Notes::parse(&format!("notes of instructor {instructor}")).unwrap(),
                    student_notes: None,
                };
                let outcome = sessions
                    .complete_if_pending(session.id, completion.clone())
                    .await;
                (completion, outcome.unwrap())
            }));
        }
        let mut winners = Vec::new();
        let mut losers = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (completion, CompleteOutcome::Completed(done)) => {
                    assert_eq!(done.completion(), Some(&completion));
                    winners.push(completion);
                }
                (_, CompleteOutcome::AlreadyCompleted(kept)) => losers.push(kept),
                (_, CompleteOutcome::NotFound) => panic!("not found"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}");
        assert_eq!(losers.len(), 1, "round {round}");
        assert_eq!(losers[0].completion(), Some(&winners[0]));
        let stored =
            t.db.ports()
                .sessions
                .get(session.id)
                .await
                .unwrap()
                .unwrap();
        assert_eq!(stored.session.completion(), Some(&winners[0]));
    }
}

crate::both_backends!(
    dedup_window_boundary_is_exclusive,
    concurrent_bookings_create_one_row,
    two_processes_book_once,
    double_completion_has_one_winner,
);
