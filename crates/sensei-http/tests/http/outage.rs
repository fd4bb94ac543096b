//! A database outage: pages answer 503 within seconds (not after a long pool wait),
//! `/readyz` fails and `/healthz` does not; once the database is back, pages answer 200
//! again without a restart.
//!
//! Runs on PostgreSQL, where an outage can be made for real: a fresh database whose
//! connections are cut (`pg_terminate_backend`) and refused (`ALLOW_CONNECTIONS false`),
//! then allowed again. Needs `SENSEI_TEST_POSTGRES_URL` (as `.ci/run` sets it, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`); without it the test says SKIPPED loudly.

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::demo::INSTRUCTOR;
use sensei_http::{demo, AppConfig};

use crate::helpers::{PostgresDatabase, TestApp};

/// Cuts every connection to the database and refuses new ones.
fn take_down(scratch: &PostgresDatabase) {
    scratch.admin(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false",
        scratch.name
    ));
    scratch.admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        scratch.name
    ));
}

fn bring_back(scratch: &PostgresDatabase) {
    scratch.admin(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        scratch.name
    ));
}

#[tokio::test]
async fn an_outage_gives_503_fast_and_the_service_recovers_by_itself() {
    let Some(scratch) = tokio::task::spawn_blocking(|| PostgresDatabase::create("the outage test"))
        .await
        .unwrap()
    else {
        return;
    };
    let database = Database::connect(
        &DatabaseUrl::Postgres(scratch.url.clone()),
        PoolOptions {
            max_connections: 4,
            connection_timeout: Duration::from_secs(2),
        },
    )
    .unwrap();
    database.migrate().await.unwrap();
    demo::load_accounts(&database).await.unwrap();
    let app = TestApp::over(database, AppConfig::for_tests().unwrap());
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei.get("/admin").await.assert_status(StatusCode::OK);

    let scratch = tokio::task::spawn_blocking(move || {
        take_down(&scratch);
        scratch
    })
    .await
    .unwrap();

    for path in ["/admin", "/submissions", "/readyz"] {
        let started = Instant::now();
        let page = sensei.get(path).await;
        let took = started.elapsed();
        page.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        assert!(took < Duration::from_secs(6), "{path} took {took:?}");
        if path != "/readyz" {
            page.assert_contains("Temporarily unavailable");
        }
    }
    sensei.get("/healthz").await.assert_status(StatusCode::OK);

    let scratch = tokio::task::spawn_blocking(move || {
        bring_back(&scratch);
        scratch
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = sensei.get("/admin").await;
        if page.status == StatusCode::OK {
            page.assert_contains("Pending scheduled sessions");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {} 15 s after the database came back",
            page.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    sensei.get("/readyz").await.assert_status(StatusCode::OK);
    tokio::task::spawn_blocking(move || drop(scratch))
        .await
        .unwrap();
}
