//! The instructor workflow across processes, on SQLite and PostgreSQL: two claims of one
//! session, two bookings at the open-session limit, a cancel racing a completion; each
//! operation in a child process (`tests/bin/workflow_child.rs`), all starting at once.

use chrono::Utc;
use sensei_core::*;

use super::workflow::{book, kinds, new_submission, service};
use crate::common::{fixture, TestDb};

/// The URL a child process connects with.
fn url_of(t: &TestDb) -> String {
    match &t.url {
        sensei_diesel::DatabaseUrl::Sqlite(path) => path.to_string_lossy().into_owned(),
        sensei_diesel::DatabaseUrl::Postgres(url) => url.clone(),
    }
}

/// Runs `ops` (operation, id, actor) in one child process each, all starting at once, and
/// returns what each printed.
async fn in_two_processes(t: &TestDb, ops: [(&str, i32, i32); 2]) -> Vec<String> {
    let exe = env!("CARGO_BIN_EXE_sensei-diesel-workflow-child");
    let url = url_of(t);
    let start_ms = Utc::now().timestamp_millis() + 1_000;
    let children: Vec<_> = ops
        .iter()
        .map(|(op, id, actor)| {
            std::process::Command::new(exe)
                .args([
                    op.to_string(),
                    url.clone(),
                    id.to_string(),
                    actor.to_string(),
                    start_ms.to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut results = Vec::new();
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        results.push(
            stdout
                .lines()
                .find_map(|line| line.strip_prefix("RESULT="))
                .unwrap_or_else(|| panic!("child did not report: {stdout}"))
                .trim()
                .to_owned(),
        );
    }
    results
}

async fn two_processes_claiming_one_session_leave_one_holder(t: TestDb) {
    let f = fixture(&t.db).await;
    let ann =
        t.db.accounts()
            .create("ann@example.com", Role::Instructor, "hash")
            .await
            .unwrap();
    for _ in 0..3 {
        let submission = new_submission(&t, &f).await;
        let session = book(&t, f.student, submission).await;
        let results = in_two_processes(
            &t,
            [
                ("claim", session.id.get(), f.instructor.get()),
                ("claim", session.id.get(), ann.get()),
            ],
        )
        .await;
        let winners = results.iter().filter(|r| *r == "ok").count();
        assert_eq!(winners, 1, "{results:?}");
        assert!(results.contains(&"held_by_other".to_owned()), "{results:?}");
        let events = t.db.ports().sessions.events(session.id, 10).await.unwrap();
        assert_eq!(kinds(&events), [EventKind::Booked, EventKind::Claimed]);
        // Free the student's place for the next round.
        service(&t)
            .cancel(Actor::student(f.student), session.id, "")
            .await
            .unwrap();
    }
}

async fn two_processes_booking_at_the_open_limit_never_exceed_it(t: TestDb) {
    let f = fixture(&t.db).await;
    for _ in 0..2 {
        let submission = new_submission(&t, &f).await;
        book(&t, f.student, submission).await;
    }
    let (a, b) = (new_submission(&t, &f).await, new_submission(&t, &f).await);
    let results = in_two_processes(
        &t,
        [
            ("book", a.get(), f.student.get()),
            ("book", b.get(), f.student.get()),
        ],
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| *r == "ok").count(),
        1,
        "{results:?}"
    );
    assert!(
        results.contains(&"too_many_open_sessions".to_owned()),
        "{results:?}"
    );
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE user_id = {} \
             AND session_completed_at IS NULL AND cancelled_at IS NULL",
            f.student
        )),
        3
    );
}

async fn a_cancel_racing_a_completion_across_processes_has_one_winner(t: TestDb) {
    let f = fixture(&t.db).await;
    for _ in 0..3 {
        let submission = new_submission(&t, &f).await;
        let session = book(&t, f.student, submission).await;
        let results = in_two_processes(
            &t,
            [
                ("complete", session.id.get(), f.instructor.get()),
                ("cancel", session.id.get(), f.student.get()),
            ],
        )
        .await;
        assert_eq!(
            results.iter().filter(|r| *r == "ok").count(),
            1,
            "{results:?}"
        );
        let stored =
            t.db.ports()
                .sessions
                .get(session.id)
                .await
                .unwrap()
                .unwrap();
        let events = t.db.ports().sessions.events(session.id, 10).await.unwrap();
        assert_eq!(events.len(), 2, "booked and exactly one more");
        assert_eq!(
            events[1].to_state,
            stored.session.state_at(Utc::now()),
            "the events table agrees with the row"
        );
    }
}

crate::both_backends!(
    two_processes_claiming_one_session_leave_one_holder,
    two_processes_booking_at_the_open_limit_never_exceed_it,
    a_cancel_racing_a_completion_across_processes_has_one_winner,
);
