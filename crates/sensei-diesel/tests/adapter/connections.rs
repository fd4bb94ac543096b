//! Outages and bad configuration: unreachable servers, missing directories, how each
//! backend's connections are set up, and recovery after PostgreSQL kills them.

use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use sensei_core::*;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};

use crate::common::{at, fixture, new_session, TestDb};

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
