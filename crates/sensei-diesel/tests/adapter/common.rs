//! The test harness: one suite, run against a temporary SQLite file and against a fresh
//! PostgreSQL database (`SENSEI_TEST_POSTGRES_URL`), each test on its own database. The
//! databases come from `sensei_diesel::testing` (feature `testing`); this module adds what
//! these tests share: raw SQL on a direct connection, fixtures, bookings, `both_backends!`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use sensei_core::ports::CreateOutcome;
use sensei_core::{
    ChallengeId, EligibilityReason, EngagementSnapshot, GoalId, NewScheduledSession, Role,
    ScheduledSession, SubmissionId, UserId,
};
use sensei_diesel::testing::TestDatabase;
use sensei_diesel::{Database, DatabaseUrl, StatementCounter};

/// A test database with its pool; the database is removed when this is dropped.
pub struct TestDb {
    pub db: Database,
    pub url: DatabaseUrl,
    pub counter: StatementCounter,
    _handle: TestDatabase,
}

impl From<TestDatabase> for TestDb {
    fn from(handle: TestDatabase) -> Self {
        TestDb {
            db: handle.database().clone(),
            url: handle.url().clone(),
            counter: handle.counter().clone(),
            _handle: handle,
        }
    }
}

impl TestDb {
    /// A new SQLite file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        TestDatabase::sqlite()
            .await
            .expect("sqlite test database")
            .into()
    }

    /// A new, empty SQLite file.
    pub async fn sqlite_unmigrated() -> TestDb {
        TestDatabase::sqlite_unmigrated()
            .await
            .expect("sqlite test database")
            .into()
    }

    /// A new PostgreSQL database, migrated; `None` (after a loud notice) when
    /// `SENSEI_TEST_POSTGRES_URL` is unset.
    pub async fn postgres() -> Option<TestDb> {
        TestDatabase::postgres()
            .await
            .expect("postgres test database")
            .map(TestDb::from)
    }

    /// A new, empty PostgreSQL database; `None` as [`TestDb::postgres`].
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        TestDatabase::postgres_unmigrated()
            .await
            .expect("postgres test database")
            .map(TestDb::from)
    }

    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => Some(path.clone()),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// Runs raw SQL (statements separated by `;`) on a direct connection.
    pub fn execute_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("open");
                conn.batch_execute(sql).expect("sql");
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url).expect("open");
                conn.batch_execute(sql).expect("sql");
            }
        }
    }

    /// Runs raw SQL on a direct connection and returns the database's error message, for
    /// statements that must be refused.
    pub fn try_execute_sql(&self, sql: &str) -> Result<(), String> {
        use diesel::connection::SimpleConnection;
        let outcome = match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("open");
                conn.batch_execute(sql)
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url).expect("open");
                conn.batch_execute(sql)
            }
        };
        outcome.map_err(|error| error.to_string())
    }

    /// Runs a single `SELECT COUNT(*) ...` on a direct connection.
    pub fn count_sql(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows: Vec<Count> = match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("open");
                diesel::sql_query(sql).load(&mut conn).expect("count")
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url).expect("open");
                diesel::sql_query(sql).load(&mut conn).expect("count")
            }
        };
        rows.first().map(|c| c.n).unwrap_or(0)
    }
}

/// Instantiates each named `async fn(TestDb)` once for SQLite and once for PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name($crate::common::TestDb::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    if let Some(db) = $crate::common::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )*
    };
}

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
}

/// Users, a challenge with goals and a submission.
pub struct Fixture {
    pub instructor: UserId,
    pub student: UserId,
    pub other: UserId,
    pub challenge: ChallengeId,
    pub goals: Vec<GoalId>,
    pub submission: SubmissionId,
}

pub async fn fixture(db: &Database) -> Fixture {
    let accounts = db.accounts();
    let writer = db.platform_writer();
    let instructor = accounts
        .create("sensei@example.com", Role::Instructor, "hash-i")
        .await
        .expect("instructor");
    let student = accounts
        .create("alice@example.com", Role::Student, "hash-a")
        .await
        .expect("student");
    let other = accounts
        .create("bob_100%@example.com", Role::Student, "hash-b")
        .await
        .expect("other");
    let (challenge, goals) = writer
        .create_challenge("Linked lists", "Build one", &["push", "pop", "iterate"])
        .await
        .expect("challenge");
    let submission = writer
        .create_submission(student, challenge, at(2026, 1, 1, 9, 0, 0))
        .await
        .expect("submission");
    Fixture {
        instructor,
        student,
        other,
        challenge,
        goals,
        submission,
    }
}

pub fn new_session(
    user: UserId,
    submission: SubmissionId,
    scheduled_at: DateTime<Utc>,
) -> NewScheduledSession {
    NewScheduledSession {
        submission_id: submission,
        user_id: user,
        reason: EligibilityReason::NeedsWorkFeedback,
        engagement: EngagementSnapshot {
            goals_passed: 1,
            goals_engaged: 1,
            total_goals: 3,
        },
        scheduled_at,
    }
}

/// The start of the default one-hour dedup window for a booking at `now`.
pub fn window(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(1)
}

/// Books at `now` through the port, without the open-session limit.
pub async fn book(
    db: &Database,
    user: UserId,
    submission: SubmissionId,
    now: DateTime<Utc>,
) -> CreateOutcome {
    db.ports()
        .sessions
        .create_unless_recent(new_session(user, submission, now), window(now), u32::MAX)
        .await
        .expect("booking")
}

/// The session of a booking that must have created one.
pub fn created(outcome: CreateOutcome) -> ScheduledSession {
    match outcome {
        CreateOutcome::Created(session) => session,
        other => panic!("expected Created, got {other:?}"),
    }
}
