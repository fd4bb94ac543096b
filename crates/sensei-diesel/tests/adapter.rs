//! The adapter suite: every test runs on SQLite (a temporary file) and on PostgreSQL (a fresh
//! database per test, when `SENSEI_TEST_POSTGRES_URL` points at a reachable server).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "adapter/account_admin.rs"]
mod account_admin;
#[path = "adapter/account_changes.rs"]
mod account_changes;
mod common;
#[path = "adapter/erasure.rs"]
mod erasure;
#[path = "adapter/preferences.rs"]
mod preferences;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::{at, fixture, new_session, TestDb};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use sensei_core::ports::{AccountRepository, CreateOutcome};
use sensei_core::*;
use sensei_diesel::testing::{CompleteIfPending, CompleteOutcome};
use sensei_diesel::{migrations, Database, DatabaseUrl, PoolOptions};

fn window(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(1)
}

async fn book(
    db: &Database,
    user: UserId,
    submission: SubmissionId,
    now: DateTime<Utc>,
) -> CreateOutcome {
    db.ports()
        .sessions
        .create_unless_recent(new_session(user, submission, now), window(now), u32::MAX)
        .await
        .unwrap()
}

fn created(outcome: CreateOutcome) -> ScheduledSession {
    match outcome {
        CreateOutcome::Created(session) => session,
        other => panic!("expected Created, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations

async fn migrations_are_idempotent(t: TestDb) {
    let again = t.db.migrate().await.unwrap();
    assert!(again.is_empty(), "second run applied {again:?}");
    let again = t.db.migrate_feature_only().await.unwrap();
    assert!(again.is_empty());
    t.db.ping().await.unwrap();
}

/// The schema as the catalogue describes it, one line per object, in a stable order.
/// SQLite: every `sqlite_master` entry with its SQL. PostgreSQL: the columns, indexes,
/// constraints and triggers of the test database's `public` schema.
fn schema(url: &DatabaseUrl) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let lines: Vec<Line> = match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            diesel::sql_query(
                "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '') \
                 AS line FROM sqlite_master ORDER BY name, type",
            )
            .load(&mut conn)
            .unwrap()
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).unwrap();
            let queries = [
                "SELECT concat_ws(' ', 'column', table_name, ordinal_position, column_name, \
                 data_type, character_maximum_length, is_nullable, column_default) AS line \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 ORDER BY table_name, ordinal_position",
                "SELECT concat_ws(' ', 'index', tablename, indexname, indexdef) AS line \
                 FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
                "SELECT concat_ws(' ', 'constraint', conrelid::regclass::text, conname, \
                 pg_get_constraintdef(oid)) AS line FROM pg_constraint \
                 WHERE connamespace = 'public'::regnamespace ORDER BY 1",
                "SELECT concat_ws(' ', 'trigger', event_object_table, trigger_name, \
                 action_timing, event_manipulation, action_statement) AS line \
                 FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1",
            ];
            queries
                .iter()
                .flat_map(|sql| diesel::sql_query(*sql).load::<Line>(&mut conn).unwrap())
                .collect()
        }
    };
    lines.into_iter().map(|line| line.line).collect()
}

/// Which embedded set a migration belongs to.
#[derive(Clone, Copy)]
enum Set {
    Feature,
    Platform,
}

/// Every migration's set, newest first: the feature's user preferences, admin audit and
/// erasures, email outbox and API tokens; the platform's `users.disabled_at`; the feature's
/// append-only rules, change counter, booking function, webhooks, booking-order index, calendar
/// feeds and workflow; the platform's sign-ins (`auth_sessions`); the feature's first two
/// migrations; the platform schema.
const NEWEST_FIRST: [Set; 16] = [
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Platform,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Platform,
    Set::Feature,
    Set::Feature,
    Set::Platform,
];

async fn migrations_go_down_and_up_again(t: TestDb) {
    let before = schema(&t.url);
    assert!(
        before
            .iter()
            .any(|line| line.contains("scheduled_sessions")),
        "{before:#?}"
    );
    // Some data first: down removes it, up recreates an empty, working schema.
    let f = fixture(&t.db).await;
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    match &t.url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            for set in NEWEST_FIRST {
                let migrations = match set {
                    Set::Feature => migrations::SQLITE_FEATURE,
                    Set::Platform => migrations::SQLITE_PLATFORM,
                };
                conn.revert_last_migration(migrations).unwrap();
            }
            assert!(conn.applied_migrations().unwrap().is_empty());
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).unwrap();
            for set in NEWEST_FIRST {
                let migrations = match set {
                    Set::Feature => migrations::POSTGRES_FEATURE,
                    Set::Platform => migrations::POSTGRES_PLATFORM,
                };
                conn.revert_last_migration(migrations).unwrap();
            }
            assert!(conn.applied_migrations().unwrap().is_empty());
        }
    }
    let pending = t.db.pending_feature_migrations().await.unwrap();
    assert_eq!(
        pending.len(),
        NEWEST_FIRST
            .iter()
            .filter(|set| matches!(set, Set::Feature))
            .count(),
        "every feature migration is pending: {pending:?}"
    );
    assert_eq!(pending.last().map(String::as_str), Some("20240114000000"));
    let applied = t.db.migrate().await.unwrap();
    assert_eq!(applied.len(), NEWEST_FIRST.len(), "{applied:?}");
    assert_eq!(
        t.db.pending_feature_migrations().await.unwrap(),
        Vec::<String>::new()
    );
    // Up again gives exactly the schema of the first run: every down undoes its up.
    let after = schema(&t.url);
    assert_eq!(before, after);
    let f = fixture(&t.db).await;
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    assert_eq!(
        t.db.ports()
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// Every port method

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

async fn submissions_goals_and_conversations(t: TestDb) {
    let f = fixture(&t.db).await;
    let ports = t.db.ports();
    let writer = t.db.platform_writer();

    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.owner, f.student);
    assert_eq!(info.owner_email, "alice@example.com");
    assert_eq!(info.challenge_id, f.challenge);
    assert_eq!(info.challenge_name, "Linked lists");
    assert_eq!(info.submitted_at, at(2026, 1, 1, 9, 0, 0));
    assert_eq!(info.latest_verdict, None);
    assert_eq!(
        ports.submissions.get(SubmissionId(777_777)).await.unwrap(),
        None
    );

    // Latest review by created_at, then id: the later `needs_work` wins over an earlier
    // approval; equal times fall back to the higher id.
    writer
        .add_review(f.submission, "needs_work", at(2026, 1, 2, 9, 0, 0))
        .await
        .unwrap();
    writer
        .add_review(f.submission, "approved", at(2026, 1, 1, 12, 0, 0))
        .await
        .unwrap();
    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.latest_verdict, Some(ReviewVerdict::NeedsWork));
    writer
        .add_review(f.submission, "approved", at(2026, 1, 2, 9, 0, 0))
        .await
        .unwrap();
    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.latest_verdict, Some(ReviewVerdict::Approved));

    let second = writer
        .create_submission(f.student, f.challenge, at(2026, 1, 5, 9, 0, 0))
        .await
        .unwrap();
    let mine = ports
        .submissions
        .list_by_owner(f.student, 10)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![second, f.submission]
    );
    assert_eq!(
        ports
            .submissions
            .list_by_owner(f.student, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(ports
        .submissions
        .list_by_owner(f.other, 10)
        .await
        .unwrap()
        .is_empty());

    // Goal progress: every goal in order, NotStarted where nothing is recorded.
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Engaged)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Passed)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[1], GoalStatus::Engaged)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.other, f.goals[2], GoalStatus::Passed)
        .await
        .unwrap();
    let progress = ports.goals.progress(f.student, f.challenge).await.unwrap();
    assert_eq!(
        progress
            .iter()
            .map(|g| (g.goal_id, g.title.as_str(), g.status))
            .collect::<Vec<_>>(),
        vec![
            (f.goals[0], "push", GoalStatus::Passed),
            (f.goals[1], "pop", GoalStatus::Engaged),
            (f.goals[2], "iterate", GoalStatus::NotStarted),
        ]
    );
    let snapshot = EngagementSnapshot::from_progress(&progress);
    assert_eq!((snapshot.goals_passed, snapshot.goals_engaged), (1, 1));
    // The same for several challenges in one statement: each challenge's goals in order;
    // challenges without goals are absent.
    let (empty, _) = writer.create_challenge("empty", "", &[]).await.unwrap();
    let batch = ports
        .goals
        .progress_for_challenges(f.student, &[f.challenge, empty])
        .await
        .unwrap();
    assert_eq!(batch, vec![(f.challenge, progress.clone())]);
    assert!(ports
        .goals
        .progress_for_challenges(f.student, &[])
        .await
        .unwrap()
        .is_empty());

    // Digi-trainer sessions: newest first, limited, first messages oldest first.
    let older = writer
        .add_agent_session(
            f.student,
            f.challenge,
            Some(f.goals[0]),
            at(2026, 1, 3, 9, 0, 0),
            &[
                ("user", "hi"),
                ("assistant", "hello"),
                ("user", "help"),
                ("assistant", "ok"),
            ],
        )
        .await
        .unwrap();
    let newer = writer
        .add_agent_session(
            f.student,
            f.challenge,
            None,
            at(2026, 1, 4, 9, 0, 0),
            &[("user", "again")],
        )
        .await
        .unwrap();
    let _elsewhere = writer
        .add_agent_session(f.other, f.challenge, None, at(2026, 1, 4, 9, 0, 0), &[])
        .await
        .unwrap();
    let sessions = ports
        .digi_trainer
        .sessions_with_messages(f.student, f.challenge, 10, 3)
        .await
        .unwrap();
    assert_eq!(
        sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![newer, older]
    );
    assert_eq!(sessions[0].goal_id, None);
    assert_eq!(sessions[0].message_count, 1);
    assert_eq!(sessions[1].goal_title.as_deref(), Some("push"));
    assert_eq!(sessions[1].message_count, 4);
    assert_eq!(
        sessions[1]
            .messages
            .iter()
            .map(|m| (m.role.clone(), m.content.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (MessageRole::Student, "hi"),
            (MessageRole::Assistant, "hello"),
            (MessageRole::Student, "help"),
        ]
    );
    let limited = ports
        .digi_trainer
        .sessions_with_messages(f.student, f.challenge, 1, 0)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert!(limited[0].messages.is_empty());

    // Anatomy conversations: oldest first, messages limited.
    let first = writer
        .add_anatomy_conversation(
            f.submission,
            "Why a Box?",
            at(2026, 1, 2, 8, 0, 0),
            &[
                ("user", "why"),
                ("assistant", "because"),
                ("user", "thanks"),
            ],
        )
        .await
        .unwrap();
    let second_conv = writer
        .add_anatomy_conversation(f.submission, "Lifetimes", at(2026, 1, 3, 8, 0, 0), &[])
        .await
        .unwrap();
    let conversations = ports.anatomy.conversations(f.submission, 2).await.unwrap();
    assert_eq!(
        conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first, second_conv]
    );
    assert_eq!(conversations[0].title, "Why a Box?");
    assert_eq!(conversations[0].submission_id, f.submission);
    assert_eq!(
        conversations[0]
            .messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        vec!["why", "because"]
    );
    assert!(conversations[1].messages.is_empty());
    assert!(ports
        .anatomy
        .conversations(second, 10)
        .await
        .unwrap()
        .is_empty());
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

// ---------------------------------------------------------------------------------------------
// Deduplication

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

// ---------------------------------------------------------------------------------------------
// Completion

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

// ---------------------------------------------------------------------------------------------
// The queue: paging, filters, statement count, odd rows

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

/// A booking's facts come in one statement with the same answer as the submission and goal
/// ports apart; someone else's submission comes without goals, an unknown one as none.
async fn booking_facts_are_one_unit_of_work(t: TestDb) {
    use sensei_core::ports::BookingFacts;
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Passed)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[2], GoalStatus::Engaged)
        .await
        .unwrap();
    let ports = t.db.ports();
    let submission = ports.submissions.get(f.submission).await.unwrap().unwrap();
    let goals = ports.goals.progress(f.student, f.challenge).await.unwrap();
    assert_eq!(goals.len(), 3);

    let before = t.counter.get();
    let facts = ports
        .booking
        .booking_facts(f.submission, f.student)
        .await
        .unwrap();
    assert_eq!(
        t.counter.get() - before,
        1,
        "the submission with the goal progress"
    );
    assert_eq!(
        facts,
        Some(BookingFacts {
            submission: submission.clone(),
            goals
        })
    );

    let before = t.counter.get();
    let theirs = ports
        .booking
        .booking_facts(f.submission, f.other)
        .await
        .unwrap();
    assert_eq!(t.counter.get() - before, 1, "the same one statement");
    assert_eq!(
        theirs,
        Some(BookingFacts {
            submission,
            goals: Vec::new()
        })
    );

    let unknown = ports
        .booking
        .booking_facts(SubmissionId(f.submission.get() + 1000), f.student)
        .await
        .unwrap();
    assert_eq!(unknown, None);
}

/// The signed-in dashboard read resolves the sign-in and reads the page on one connection:
/// the same answer as the two ports apart, one statement for a refused or unknown sign-in,
/// and the plan sees the resolved account.
async fn signed_in_dashboard_is_one_unit_of_work(t: TestDb) {
    use sensei_core::ports::{DashboardQueries, SignedInRead};
    let f = fixture(&t.db).await;
    let base = at(2026, 8, 1, 0, 0, 0);
    for i in 0..3 {
        created(
            book(
                &t.db,
                f.student,
                f.submission,
                base + Duration::hours(2 * i),
            )
            .await,
        );
    }
    let accounts = t.db.accounts();
    let now = Utc::now();
    let instructor_token = accounts
        .start_sign_in(f.instructor, now + Duration::hours(1))
        .await
        .unwrap();
    let student_token = accounts
        .start_sign_in(f.student, now + Duration::hours(1))
        .await
        .unwrap();
    let ports = t.db.ports();
    let queries = |viewer: UserId| DashboardQueries {
        queue: SessionQuery {
            status: StatusFilter::Open,
            ..SessionQuery::default()
        },
        mine: SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(viewer),
            ..SessionQuery::default()
        },
        claimed: SessionQuery {
            status: StatusFilter::Claimed,
            ..SessionQuery::default()
        },
    };
    // Read apart through another handle on the same database: each handle keeps its own
    // dashboards, so this one does not answer the signed-in read below.
    let other = Database::connect(&t.url, PoolOptions::default()).unwrap();
    let apart = other
        .ports()
        .sessions
        .dashboard(
            &queries(f.instructor).queue,
            &queries(f.instructor).mine,
            &queries(f.instructor).claimed,
            PageRequest::default(),
        )
        .await
        .unwrap();

    let before = t.counter.get();
    let read = ports
        .signed_in
        .dashboard(
            &instructor_token,
            now,
            Box::new(move |account: &Account| {
                (account.role == Role::Instructor).then(|| queries(account.id))
            }),
            PageRequest::default(),
        )
        .await
        .unwrap();
    let statements = t.counter.get() - before;
    match read {
        SignedInRead::Read(account, read) => {
            assert_eq!(account.id, f.instructor);
            assert_eq!(read, apart);
            assert_eq!(read.open, 3);
        }
        other => panic!("expected a read, got {other:?}"),
    }
    assert_eq!(
        statements, 4,
        "the sign-in with the counter, my claims, everyone's claims, the page"
    );

    let before = t.counter.get();
    let refused = ports
        .signed_in
        .dashboard(
            &student_token,
            now,
            Box::new(|_: &Account| None),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert!(
        matches!(&refused, SignedInRead::Refused(account) if account.id == f.student),
        "{refused:?}"
    );
    assert_eq!(t.counter.get() - before, 1, "nothing read past the sign-in");

    // Unknown and expired sign-ins read as not signed in; the plan is not asked.
    let never = || -> sensei_core::ports::DashboardPlan {
        Box::new(|_: &Account| panic!("the plan must not run"))
    };
    for (token, at) in [
        (SignInToken::new("no-such-token".to_owned()), now),
        (instructor_token.clone(), now + Duration::hours(2)),
    ] {
        let read = ports
            .signed_in
            .dashboard(&token, at, never(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(read, SignedInRead::NotSignedIn);
    }
}

async fn odd_rows_are_kept_with_safe_defaults(t: TestDb) {
    let f = fixture(&t.db).await;
    let (submission, user) = (f.submission, f.student);
    t.execute_sql(&format!(
        "INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, 'mystery_reason', 2, 1, 4, '2026-09-01 10:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, NULL, NULL, NULL, NULL, '2026-09-01 11:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, 'digi_trainer_engagement', -1, -5, 3, '2026-09-01 12:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, scheduled_at, notes) VALUES \
         ({submission}, {user}, '2026-09-01 13:00:00', '   ');"
    ));
    let sessions = t.db.ports().sessions;
    let page = sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
    let rows: Vec<_> = page.items.iter().map(|r| &r.session).collect();
    assert_eq!(
        rows[0].reason,
        RecordedReason::Unrecognized("mystery_reason".to_owned())
    );
    assert_eq!(rows[0].engagement.total_goals, 4);
    assert_eq!(rows[1].reason, RecordedReason::Missing);
    assert_eq!(rows[1].engagement, EngagementSnapshot::default());
    assert_eq!(
        rows[2].reason,
        RecordedReason::Known(EligibilityReason::DigiTrainerEngagement)
    );
    assert_eq!(
        (
            rows[2].engagement.goals_passed,
            rows[2].engagement.goals_engaged
        ),
        (0, 0)
    );
    // Column defaults (0) apply to counts the insert left out.
    assert_eq!(rows[3].engagement, EngagementSnapshot::default());
    assert_eq!(rows[3].scheduled_at, at(2026, 9, 1, 13, 0, 0));
    // The trigger-maintained counter saw the raw inserts too.
    assert_eq!(sessions.count(&SessionQuery::default()).await.unwrap(), 4);
    // A filter by a known reason skips the odd ones without failing.
    let by_reason = SessionQuery {
        reason: Some(EligibilityReason::DigiTrainerEngagement),
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&by_reason).await.unwrap(), 1);
}

async fn counter_follows_every_change(t: TestDb) {
    let f = fixture(&t.db).await;
    let sessions = t.db.ports().sessions;
    let a = created(book(&t.db, f.student, f.submission, at(2026, 10, 1, 8, 0, 0)).await);
    created(book(&t.db, f.student, f.submission, at(2026, 10, 1, 10, 0, 0)).await);
    sessions
        .complete_if_pending(
            a.id,
            Completion {
                completed_at: at(2026, 10, 1, 9, 0, 0),
                completed_by: None,
                notes: None,
                student_notes: None,
            },
        )
        .await
        .unwrap();
    let pending = SessionQuery::default();
    let completed = SessionQuery {
        status: StatusFilter::Completed,
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&pending).await.unwrap(), 1);
    assert_eq!(sessions.count(&completed).await.unwrap(), 1);
    // Changes made behind the adapter's back (the platform, an operator) are counted too.
    t.execute_sql(&format!(
        "UPDATE scheduled_sessions SET session_completed_at = NULL WHERE id = {}",
        a.id
    ));
    assert_eq!(sessions.count(&pending).await.unwrap(), 2);
    assert_eq!(sessions.count(&completed).await.unwrap(), 0);
    // PostgreSQL keeps the counter in 16 slots (consecutive sessions in different ones, so
    // concurrent changes do not queue on one row); SQLite in one row.
    let (rows, used) = match t.url {
        DatabaseUrl::Sqlite(_) => (1, 1),
        DatabaseUrl::Postgres(_) => (16, 2),
    };
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_counts"),
        rows
    );
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_counts WHERE pending_count <> 0"),
        used
    );
    t.execute_sql("DELETE FROM scheduled_sessions");
    assert_eq!(sessions.count(&pending).await.unwrap(), 0);
    assert_eq!(
        t.count_sql(
            "SELECT CAST(SUM(pending_count + completed_count) AS BIGINT) AS n \
             FROM scheduled_session_counts"
        ),
        0
    );
}

both_backends!(
    a_nul_byte_in_input_is_rejected_input_or_not_found_never_unavailable,
    migrations_are_idempotent,
    migrations_go_down_and_up_again,
    books_lists_and_completes,
    foreign_key_violation_is_rejected_input,
    submissions_goals_and_conversations,
    accounts_round_trip,
    sign_ins_follow_the_user_and_end,
    dedup_window_boundary_is_exclusive,
    concurrent_bookings_create_one_row,
    two_processes_book_once,
    double_completion_has_one_winner,
    queue_pages_and_filters,
    list_uses_constant_statements,
    hand_written_reads_are_prepared_once,
    signed_in_dashboard_is_one_unit_of_work,
    booking_facts_are_one_unit_of_work,
    odd_rows_are_kept_with_safe_defaults,
    counter_follows_every_change,
);

// ---------------------------------------------------------------------------------------------
// Outages and bad configuration

#[tokio::test]
async fn unreachable_postgres_fails_fast_as_unavailable() {
    let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/nothing").unwrap();
    let started = std::time::Instant::now();
    let db = Database::connect(
        &url,
        PoolOptions {
            max_connections: 2,
            connection_timeout: std::time::Duration::from_millis(500),
        },
    )
    .unwrap();
    let ping = db.ping().await;
    assert!(
        matches!(ping, Err(RepositoryError::Unavailable(_))),
        "{ping:?}"
    );
    let list = db
        .ports()
        .sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await;
    assert!(
        matches!(list, Err(RepositoryError::Unavailable(_))),
        "{list:?}"
    );
    let migrate = db.migrate().await;
    assert!(matches!(
        migrate,
        Err(sensei_diesel::DatabaseError::Connect { .. })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn sqlite_in_a_missing_directory_is_a_clear_error() {
    let url = DatabaseUrl::parse("sqlite:///nonexistent-dir-sensei/x/y.db").unwrap();
    let error = Database::connect(&url, PoolOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("cannot connect to the sqlite database"),
        "{message}"
    );
    assert!(message.contains("directory exists"), "{message}");
}

#[tokio::test]
async fn sqlite_connections_are_configured() {
    let t = TestDb::sqlite().await;
    let path = t.sqlite_path().unwrap();
    // WAL is persistent in the file: a fresh connection sees it.
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode').fetchone()[0])",
        ])
        .arg(&path)
        .output();
    if let Ok(output) = output {
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "wal");
    }
    // Foreign keys are on: a booking for a missing submission fails.
    let f = fixture(&t.db).await;
    let result =
        t.db.ports()
            .sessions
            .create_unless_recent(
                new_session(f.student, SubmissionId(31_337), at(2026, 1, 1, 0, 0, 0)),
                at(2025, 1, 1, 0, 0, 0),
                u32::MAX,
            )
            .await;
    assert!(result.is_err());
}

/// The bundled SQLite is built as `.cargo/config.toml` says: plans independent of bound values
/// (`SQLITE_ENABLE_QPSG`), otherwise every statement with `LIMIT ?` (each page, each `.first()`)
/// is parsed and planned again on every execution, although Diesel keeps it prepared.
#[test]
fn bundled_sqlite_keeps_plans_stable() {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    // Also: no memory-statistics mutex on every allocation, and no per-connection mutexes
    // (a pooled connection is used by one thread at a time).
    for option in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0", "THREADSAFE=2"] {
        let found: Found = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pragma_compile_options WHERE compile_options = ?",
        )
        .bind::<diesel::sql_types::Text, _>(option)
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(found.n, 1, "SQLite compiled without SQLITE_{option}");
    }
}

/// Every pooled PostgreSQL connection runs without parallel workers (a generic plan of the
/// queue page started them: 6-10 ms for a 0.3 ms read), with generic plans for prepared
/// statements (planning each execution cost more than the read) and without Memoize.
#[tokio::test]
async fn postgres_connections_are_configured_for_small_reads() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    sensei_diesel::testing::execute_on_pool(
        &t.db,
        "DO $$ BEGIN \
           IF current_setting('max_parallel_workers_per_gather') <> '0' THEN \
             RAISE EXCEPTION 'parallel workers are on'; END IF; \
           IF current_setting('enable_memoize') <> 'off' THEN \
             RAISE EXCEPTION 'memoize is on'; END IF; \
           IF current_setting('plan_cache_mode') <> 'force_generic_plan' THEN \
             RAISE EXCEPTION 'statements are planned per execution'; END IF; \
           IF current_setting('TimeZone') <> 'UTC' THEN \
             RAISE EXCEPTION 'time zone is not UTC'; END IF; \
         END $$",
    )
    .await
    .unwrap();
}

/// PostgreSQL restarts (here: every server-side connection killed): calls fail as
/// `Unavailable`, dead connections are dropped, and the pool recovers by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_recovers_after_connections_are_killed() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let f = fixture(&t.db).await;
    // Fill the pool with several open connections.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move { db.ping().await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    t.execute_sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let mut failures = 0;
    let mut recovered = false;
    for _ in 0..40 {
        match t.db.ports().submissions.get(f.submission).await {
            Ok(Some(_)) => {
                recovered = true;
                break;
            }
            Ok(None) => panic!("submission vanished"),
            Err(RepositoryError::Unavailable(_)) => failures += 1,
            Err(other) => panic!("expected Unavailable, got {other:?}"),
        }
    }
    assert!(recovered, "still failing after {failures} attempts");
    eprintln!("recovered after {failures} failed call(s)");
    // Every later call works: no dead connection is left in the pool.
    for _ in 0..20 {
        t.db.ping().await.unwrap();
    }
}
