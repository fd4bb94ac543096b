//! The test harness: one suite, run against a temporary SQLite file and against a fresh
//! PostgreSQL database (`SENSEI_TEST_POSTGRES_URL`), each test on its own database.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use sensei_core::{
    ChallengeId, EligibilityReason, EngagementSnapshot, GoalId, NewScheduledSession, Role,
    SubmissionId, UserId,
};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions, StatementCounter};

pub const PG_ENV: &str = "SENSEI_TEST_POSTGRES_URL";

/// A migrated test database, removed when dropped.
pub struct TestDb {
    pub db: Database,
    pub url: DatabaseUrl,
    pub counter: StatementCounter,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabaseGuard>,
}

pub fn pool_options() -> PoolOptions {
    PoolOptions {
        max_connections: 20,
        connection_timeout: Duration::from_secs(10),
    }
}

impl TestDb {
    /// A new SQLite file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        let db = Self::sqlite_unmigrated().await;
        db.db.migrate().await.expect("migrate sqlite");
        db
    }

    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = DatabaseUrl::Sqlite(dir.path().join("sensei.db"));
        let counter = StatementCounter::new();
        let db = Database::connect_counting_statements(&url, pool_options(), counter.clone())
            .expect("connect sqlite");
        TestDb {
            db,
            url,
            counter,
            _dir: Some(dir),
            _pg: None,
        }
    }

    /// A new PostgreSQL database, migrated; `None` (after a loud notice) when PostgreSQL is
    /// not configured or not reachable.
    pub async fn postgres() -> Option<TestDb> {
        let db = Self::postgres_unmigrated().await?;
        db.db.migrate().await.expect("migrate postgres");
        Some(db)
    }

    pub async fn postgres_unmigrated() -> Option<TestDb> {
        let guard = tokio::task::spawn_blocking(PgDatabaseGuard::create)
            .await
            .expect("join")?;
        let url = DatabaseUrl::Postgres(guard.url.clone());
        let counter = StatementCounter::new();
        let db = Database::connect_counting_statements(&url, pool_options(), counter.clone())
            .expect("connect postgres");
        Some(TestDb {
            db,
            url,
            counter,
            _dir: None,
            _pg: Some(guard),
        })
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

/// A PostgreSQL database created for one test and dropped afterwards.
pub struct PgDatabaseGuard {
    admin_url: String,
    name: String,
    pub url: String,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

fn skip_notice(reason: &str) {
    eprintln!(
        "\n*** SKIPPED: PostgreSQL tests — set {PG_ENV} (e.g. postgres://postgres@127.0.0.1:5432/postgres) \
         to a reachable server ({reason}) ***\n"
    );
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..authority_end], name);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl PgDatabaseGuard {
    pub fn create() -> Option<PgDatabaseGuard> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            skip_notice("unset");
            return None;
        };
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(error) => {
                skip_notice(&format!("unreachable: {error}"));
                return None;
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "sensei_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst),
            nanos
        );
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .expect("create database");
        let url = with_database(&admin_url, &name);
        Some(PgDatabaseGuard {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PgDatabaseGuard {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
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
