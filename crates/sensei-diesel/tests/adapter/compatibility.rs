//! Sharing `scheduled_sessions` with the Python platform: our migrations adopt the table its
//! migration created (rows kept), its rows read back right, and our rows read back in Python.

use chrono::{Duration, NaiveDate, Utc};
use sensei_core::ports::CreateOutcome;
use sensei_core::*;
use sensei_diesel::testing::CompleteIfPending;

use crate::common::{at, new_session, TestDb};

/// The `scheduled_sessions` DDL the platform's own Python migration runs (that migration lives
/// in the platform, not in this repository), verbatim; docs/persistence.md ("Migrations: two
/// sets per backend") describes how ours adopt it.
const SEED_DDL: &str = "CREATE TABLE scheduled_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    eligibility_reason VARCHAR(50),
    goals_passed INTEGER DEFAULT 0,
    goals_engaged INTEGER DEFAULT 0,
    total_goals INTEGER DEFAULT 0,
    scheduled_at DATETIME NOT NULL,
    session_completed_at DATETIME,
    notes TEXT,
    FOREIGN KEY (submission_id) REFERENCES submissions (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX idx_scheduled_sessions_submission ON scheduled_sessions (submission_id);
CREATE INDEX idx_scheduled_sessions_user ON scheduled_sessions (user_id);";

/// The platform's own tables, reduced to what the feature reads (the platform has more
/// columns; the adapter needs only these).
const PLATFORM_SQLITE: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL UNIQUE,
    username VARCHAR(80), role VARCHAR(20), created_at DATETIME);
CREATE TABLE challenges (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, description TEXT);
CREATE TABLE submissions (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
    challenge_id INTEGER NOT NULL REFERENCES challenges (id), submitted_at DATETIME);
INSERT INTO users (id, email, role) VALUES (1, 'alice@example.com', 'student'),
    (2, 'sensei@example.com', 'admin');
INSERT INTO challenges (id, name) VALUES (7, 'Linked lists');
INSERT INTO submissions (id, user_id, challenge_id, submitted_at)
    VALUES (11, 1, 7, '2026-11-27 08:00:00.000000');";

/// Rows as SQLAlchemy writes them: `DATETIME` text with six fractional digits.
const PLATFORM_ROWS: &str = "
INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed,
    goals_engaged, total_goals, scheduled_at, session_completed_at, notes)
VALUES (11, 1, 'needs_work_feedback', 1, 1, 3, '2026-11-28 09:15:02.123456', NULL, NULL),
       (11, 1, 'digi_trainer_engagement', 2, 2, 4, '2026-11-26 07:00:00.000000',
        '2026-11-26 08:30:00.500000', 'Walked through recursion');";

#[tokio::test]
async fn adopts_the_platforms_table_and_shares_rows_with_python() {
    let t = TestDb::sqlite_unmigrated().await;
    t.execute_sql(PLATFORM_SQLITE);
    t.execute_sql(SEED_DDL);
    t.execute_sql(PLATFORM_ROWS);

    let applied = t.db.migrate_feature_only().await.unwrap();
    assert_eq!(applied.len(), 15, "{applied:?}");
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_sessions"),
        2,
        "rows kept"
    );

    let sessions = t.db.ports().sessions;
    // The counter was initialised from the existing rows.
    assert_eq!(sessions.count(&SessionQuery::default()).await.unwrap(), 1);
    let completed = SessionQuery {
        status: StatusFilter::Completed,
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&completed).await.unwrap(), 1);

    let page = sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let row = &page.items[0];
    assert_eq!(row.student_email, "alice@example.com");
    assert_eq!(row.challenge_name, "Linked lists");
    assert_eq!(row.challenge_id, ChallengeId(7));
    let expected_at = NaiveDate::from_ymd_opt(2026, 11, 28)
        .and_then(|d| d.and_hms_micro_opt(9, 15, 2, 123_456))
        .unwrap()
        .and_utc();
    assert_eq!(row.session.scheduled_at, expected_at);
    assert_eq!(
        row.session.reason,
        RecordedReason::Known(EligibilityReason::NeedsWorkFeedback)
    );
    assert_eq!(row.session.engagement.percent(), 67);

    let done = sessions
        .list(&completed, PageRequest::default())
        .await
        .unwrap();
    let done = &done.items[0].session;
    let completion = done.completion().unwrap();
    assert_eq!(
        completion.completed_at,
        NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_micro_opt(8, 30, 0, 500_000))
            .unwrap()
            .and_utc()
    );
    assert_eq!(
        completion.notes.as_ref().map(Notes::as_str),
        Some("Walked through recursion")
    );

    // Dedup against a platform-written row works on the stored text: 59:59 after the
    // platform's booking is a duplicate, 60:00 is not.
    let almost = expected_at + Duration::minutes(59) + Duration::seconds(59);
    let outcome = sessions
        .create_unless_recent(
            new_session(UserId(1), SubmissionId(11), almost),
            almost - Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap();
    assert!(matches!(outcome, CreateOutcome::Existing(ref s) if s.scheduled_at == expected_at));
    let exactly = expected_at + Duration::hours(1);
    let CreateOutcome::Created(ours) = sessions
        .create_unless_recent(
            new_session(UserId(1), SubmissionId(11), exactly),
            exactly - Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap()
    else {
        panic!("expected a new session at exactly one hour")
    };

    // The stored text is SQLAlchemy's.
    let path = t.sqlite_path().unwrap();
    let text = python(
        &path,
        "print(db.execute('SELECT scheduled_at FROM scheduled_sessions WHERE id = ?', (int(arg),)).fetchone()[0])",
        &ours.id.to_string(),
    );
    let Some(text) = text else {
        eprintln!("SKIPPED: python3 round trip (python3 not found)");
        return;
    };
    assert_eq!(text, "2026-11-28 10:15:02.123456");

    // Python parses it as the same instant, as SQLAlchemy's DATETIME does.
    let parsed = python(
        &path,
        "import datetime\n\
         v = db.execute('SELECT scheduled_at FROM scheduled_sessions WHERE id = ?', (int(arg),)).fetchone()[0]\n\
         print(datetime.datetime.strptime(v, '%Y-%m-%d %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).isoformat(timespec='microseconds'))",
        &ours.id.to_string(),
    )
    .unwrap();
    assert_eq!(
        parsed,
        ours.scheduled_at
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string()
    );

    // A whole-second time still gets six digits, and a completion too.
    let whole = at(2026, 12, 1, 10, 0, 0);
    let CreateOutcome::Created(second) = sessions
        .create_unless_recent(
            new_session(UserId(1), SubmissionId(11), whole),
            whole - Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap()
    else {
        panic!("expected created")
    };
    sessions
        .complete_if_pending(
            second.id,
            Completion {
                completed_at: Utc::now(),
                completed_by: None,
                notes: Notes::parse("done").unwrap(),
                student_notes: None,
            },
        )
        .await
        .unwrap();
    let both = python(
        &path,
        "import datetime\n\
         r = db.execute('SELECT scheduled_at, session_completed_at, notes FROM scheduled_sessions WHERE id = ?', (int(arg),)).fetchone()\n\
         [datetime.datetime.strptime(v, '%Y-%m-%d %H:%M:%S.%f') for v in r[:2]]\n\
         print(r[0], len(r[1]), r[2])",
        &second.id.to_string(),
    )
    .unwrap();
    assert_eq!(both, "2026-12-01 10:00:00.000000 26 done");
}

/// Runs a Python snippet with `db` (an sqlite3 connection to `path`) and `arg`; `None` when
/// there is no python3.
fn python(path: &std::path::Path, body: &str, arg: &str) -> Option<String> {
    let script = format!(
        "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\narg = sys.argv[2]\n{body}\n"
    );
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .arg(arg)
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The PostgreSQL equivalent: the platform's tables and its `scheduled_sessions` already
/// exist; the feature-only migrations adopt them.
#[tokio::test]
async fn postgres_feature_only_migration_adopts_existing_table() {
    let Some(t) = TestDb::postgres_unmigrated().await else {
        return;
    };
    t.execute_sql(
        "CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR(120) NOT NULL UNIQUE, role VARCHAR(20));
         CREATE TABLE challenges (id SERIAL PRIMARY KEY, name VARCHAR(200) NOT NULL);
         CREATE TABLE submissions (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
             challenge_id INTEGER NOT NULL REFERENCES challenges (id), submitted_at TIMESTAMP);
         INSERT INTO users (id, email, role) VALUES (1, 'alice@example.com', 'student');
         INSERT INTO challenges (id, name) VALUES (7, 'Linked lists');
         INSERT INTO submissions (id, user_id, challenge_id) VALUES (11, 1, 7);
         CREATE TABLE scheduled_sessions (
             id SERIAL PRIMARY KEY,
             submission_id INTEGER NOT NULL REFERENCES submissions (id),
             user_id INTEGER NOT NULL REFERENCES users (id),
             eligibility_reason VARCHAR(50),
             goals_passed INTEGER DEFAULT 0,
             goals_engaged INTEGER DEFAULT 0,
             total_goals INTEGER DEFAULT 0,
             scheduled_at TIMESTAMP NOT NULL,
             session_completed_at TIMESTAMP,
             notes TEXT);
         INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed,
             goals_engaged, total_goals, scheduled_at)
         VALUES (11, 1, 'needs_work_feedback', 1, 1, 3, '2026-11-28 09:15:02.123456');",
    );
    let applied = t.db.migrate_feature_only().await.unwrap();
    assert_eq!(applied.len(), 15);
    let sessions = t.db.ports().sessions;
    assert_eq!(sessions.count(&SessionQuery::default()).await.unwrap(), 1);
    let page = sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items[0].student_email, "alice@example.com");
    assert_eq!(
        page.items[0].session.scheduled_at,
        NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_micro_opt(9, 15, 2, 123_456))
            .unwrap()
            .and_utc()
    );
}
