//! A database outage: pages answer 503 within seconds (not after a long pool wait),
//! `/readyz` fails and `/healthz` does not; once the database is back, pages answer 200
//! again without a restart.
//!
//! Runs on PostgreSQL, where an outage can be made for real: a fresh database whose
//! connections are cut (`pg_terminate_backend`) and refused (`ALLOW_CONNECTIONS false`),
//! then allowed again. Needs `SENSEI_TEST_POSTGRES_URL` (as `.ci/run` sets it, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`); without it the test says SKIPPED loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use poem::http::StatusCode;
use poem::test::TestClient;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::demo::INSTRUCTOR;
use sensei_http::{build_router, demo, AppConfig, AppState};

const PG_ENV: &str = "SENSEI_TEST_POSTGRES_URL";

/// A throw-away PostgreSQL database, dropped at the end.
struct Scratch {
    admin_url: String,
    name: String,
    url: String,
}

impl Scratch {
    fn create(admin_url: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("sensei_http_outage_{}_{nanos}", std::process::id());
        let (server, _) = admin_url
            .rsplit_once('/')
            .expect("a URL with a database name");
        let scratch = Scratch {
            admin_url: admin_url.to_owned(),
            url: format!("{server}/{name}"),
            name,
        };
        scratch.admin(&format!("CREATE DATABASE {}", scratch.name));
        scratch
    }

    fn admin(&self, sql: &str) {
        let mut conn = PgConnection::establish(&self.admin_url).expect("admin connection");
        diesel::sql_query(sql).execute(&mut conn).expect(sql);
    }

    /// Cuts every connection to the database and refuses new ones.
    fn take_down(&self) {
        self.admin(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS false",
            self.name
        ));
        self.admin(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            self.name
        ));
    }

    fn bring_back(&self) {
        self.admin(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS true",
            self.name
        ));
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

fn admin_url() -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Written to the real stderr, past the test harness's capture, so it shows.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the outage test needs PostgreSQL; set {PG_ENV} \
                 (e.g. postgres://postgres@127.0.0.1:5432/postgres) ***\n"
            );
            None
        }
    }
}

#[tokio::test]
async fn an_outage_gives_503_fast_and_the_service_recovers_by_itself() {
    let Some(admin_url) = admin_url() else {
        return;
    };
    let scratch = tokio::task::spawn_blocking(move || Scratch::create(&admin_url))
        .await
        .unwrap();
    let database = Database::connect(
        &DatabaseUrl::Postgres(scratch.url.clone()),
        PoolOptions {
            max_connections: 4,
            connection_timeout: Duration::from_secs(2),
        },
    )
    .unwrap();
    database.migrate().await.unwrap();
    demo::load(&database).await.unwrap();
    let state = AppState::new(database, &AppConfig::for_tests().unwrap()).unwrap();
    let app = common::TestApp::over(TestClient::new(build_router(state.clone())), state);
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei.get("/admin").await.assert_status(StatusCode::OK);

    let scratch = tokio::task::spawn_blocking(move || {
        scratch.take_down();
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
        scratch.bring_back();
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
