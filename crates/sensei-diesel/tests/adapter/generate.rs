//! The benchmark data generator, on SQLite and PostgreSQL (`SENSEI_TEST_POSTGRES_URL`).

use std::sync::Arc;

use chrono::{Duration, Utc};
use sensei_core::ports::AccountRepository;
use sensei_core::ports::CreateOutcome;
use sensei_core::*;
use sensei_diesel::generate::{
    generate, GenerateOptions, NoProgress, SessionHistory, INSTRUCTOR_EMAIL,
};

use crate::common::{at, TestDb};

fn options(sessions: u32, students: u32, seed: u64) -> GenerateOptions {
    GenerateOptions {
        sessions,
        students,
        challenges: 7,
        seed,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        now: at(2026, 11, 1, 0, 0, 0),
        history: SessionHistory::Backlog,
    }
}

async fn run(t: &TestDb, options: GenerateOptions) -> sensei_diesel::generate::GenerateSummary {
    generate(&t.db, options, Arc::new(NoProgress))
        .await
        .unwrap()
}

async fn fills_every_table_consistently(t: TestDb) {
    let summary = run(&t, options(201, 30, 7)).await;
    assert!(summary.instructor_created);
    assert_eq!(summary.students, 30);
    assert_eq!(summary.challenges, 7);
    assert_eq!(summary.sessions, 201);
    assert_eq!(summary.pending_sessions, 101);
    assert_eq!(
        (summary.counter_pending, summary.counter_completed),
        (101, 100)
    );
    assert!(summary.agent_messages >= 2 * summary.agent_sessions);
    assert!(summary.anatomy_conversations > 0 && summary.reviews > 0);

    let count = |sql: &str| t.count_sql(sql);
    assert_eq!(count("SELECT COUNT(*) AS n FROM users"), 31);
    assert_eq!(
        count("SELECT COUNT(DISTINCT email) AS n FROM users WHERE email LIKE '%@bench.example'"),
        30
    );
    // 3–6 goals per challenge, 1–3 submissions per student.
    assert_eq!(
        count(
            "SELECT COUNT(*) AS n FROM (SELECT challenge_id, COUNT(*) AS g FROM goals \
             GROUP BY challenge_id) AS x WHERE g < 3 OR g > 6"
        ),
        0
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) AS n FROM (SELECT user_id, COUNT(*) AS k FROM submissions \
             GROUP BY user_id) AS x WHERE k < 1 OR k > 3"
        ),
        0
    );
    assert!(count("SELECT COUNT(*) AS n FROM reviews WHERE verdict = 'needs_work'") > 0);
    // Every session belongs to its submission's owner; completed ones carry notes.
    assert_eq!(
        count(
            "SELECT COUNT(*) AS n FROM scheduled_sessions s JOIN submissions b \
             ON b.id = s.submission_id WHERE b.user_id <> s.user_id"
        ),
        0
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) AS n FROM scheduled_sessions \
             WHERE session_completed_at IS NOT NULL AND notes IS NULL"
        ),
        0
    );

    // The service reads it: the counter, the queue, the details.
    let ports = t.db.ports();
    assert_eq!(
        ports
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        101
    );
    let page = ports
        .sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 25);
    assert!(page.next.is_some());
    let first = &page.items[0];
    assert!(first.student_email.ends_with("@bench.example"));
    assert!(!first.challenge_name.is_empty());
    assert!(first.session.engagement.total_goals >= 3);
    let newest_allowed = at(2026, 11, 1, 0, 0, 0) - Duration::days(1);
    assert!(page
        .items
        .iter()
        .all(|e| e.session.scheduled_at <= newest_allowed));
    let progress = ports
        .goals
        .progress(first.session.user_id, first.challenge_id)
        .await
        .unwrap();
    assert!(progress.len() >= 3);

    // A booking made now is never a duplicate of a generated session.
    let now = Utc::now();
    let outcome = ports
        .sessions
        .create_unless_recent(
            NewScheduledSession {
                submission_id: first.session.submission_id,
                user_id: first.session.user_id,
                reason: EligibilityReason::NeedsWorkFeedback,
                engagement: first.session.engagement,
                scheduled_at: now,
            },
            now - Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap();
    assert!(matches!(outcome, CreateOutcome::Created(_)));
    assert_eq!(
        ports
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        102
    );

    // The instructor can be found; new rows get fresh ids (sequences moved past ours).
    let instructor =
        t.db.accounts()
            .find_by_email(INSTRUCTOR_EMAIL)
            .await
            .unwrap();
    assert_eq!(
        instructor.map(|stored| stored.account.role),
        Some(Role::Instructor)
    );
    t.db.accounts()
        .create("late@example.com", Role::Student, "hash")
        .await
        .unwrap();
}

async fn same_seed_same_rows(t: TestDb) {
    let other = match &t.url {
        sensei_diesel::DatabaseUrl::Sqlite(_) => TestDb::sqlite().await,
        sensei_diesel::DatabaseUrl::Postgres(_) => TestDb::postgres().await.unwrap(),
    };
    let third = match &t.url {
        sensei_diesel::DatabaseUrl::Sqlite(_) => TestDb::sqlite().await,
        sensei_diesel::DatabaseUrl::Postgres(_) => TestDb::postgres().await.unwrap(),
    };
    run(&t, options(60, 12, 42)).await;
    run(&other, options(60, 12, 42)).await;
    run(&third, options(60, 12, 43)).await;
    let all = |db: &TestDb| {
        let db = db.db.clone();
        async move {
            let query = SessionQuery {
                status: StatusFilter::All,
                ..SessionQuery::default()
            };
            let mut rows = Vec::new();
            let mut after = None;
            loop {
                let page = db
                    .ports()
                    .sessions
                    .list(
                        &query,
                        PageRequest {
                            after,
                            ..PageRequest::default()
                        },
                    )
                    .await
                    .unwrap();
                rows.extend(page.items);
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            rows
        }
    };
    let (a, b, c) = (all(&t).await, all(&other).await, all(&third).await);
    assert_eq!(a.len(), 60);
    assert_eq!(a, b, "same seed, same sessions");
    assert_ne!(a, c, "another seed, other sessions");
    let digest = "SELECT CAST(SUM(id * 31 + user_id * 7 + challenge_id) AS BIGINT) AS n \
                  FROM submissions";
    assert_eq!(t.count_sql(digest), other.count_sql(digest));
}

async fn adds_to_a_database_that_has_data(t: TestDb) {
    run(&t, options(40, 10, 1)).await;
    let again = run(&t, options(40, 10, 2)).await;
    assert!(
        !again.instructor_created,
        "the instructor is not created twice"
    );
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM users"), 21);
    assert_eq!((again.counter_pending, again.counter_completed), (40, 40));
    assert_eq!(
        t.db.ports()
            .sessions
            .count(&SessionQuery {
                status: StatusFilter::All,
                ..SessionQuery::default()
            })
            .await
            .unwrap(),
        80
    );
}

async fn refuses_empty_sizes(t: TestDb) {
    let mut bad = options(10, 0, 1);
    assert!(generate(&t.db, bad.clone(), Arc::new(NoProgress))
        .await
        .is_err());
    bad.students = 5;
    bad.challenges = 0;
    assert!(generate(&t.db, bad, Arc::new(NoProgress)).await.is_err());
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM users"), 0);
}

crate::both_backends!(
    fills_every_table_consistently,
    same_seed_same_rows,
    adds_to_a_database_that_has_data,
    refuses_empty_sizes,
);
