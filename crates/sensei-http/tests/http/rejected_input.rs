//! Database errors caused by input are the client's (4xx), never an outage (503), on both
//! backends: PostgreSQL refuses NUL in text, SQLite stores it; either way the answer is a
//! clear 4xx and the service keeps serving.

use std::time::Duration;

use poem::http::StatusCode;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::demo::{ALICE, DEMO_PASSWORD};
use sensei_http::{demo, AppConfig};
use serde_json::json;

use crate::helpers::{Call, PostgresDatabase, TestApp, API};

async fn nul_in_input_is_a_client_error(app: &TestApp) {
    let reply = app
        .send(Call::post_json(
            format!("{API}/session"),
            &json!({"email": "alice\u{0}@example.com", "password": "x"}),
        ))
        .await;
    assert!(
        reply.status.is_client_error(),
        "a NUL in the email must be a 4xx, got {}: {}",
        reply.status,
        reply.text
    );
    let browser = app.browser();
    let token = browser.csrf_from("/login").await;
    let page = browser
        .post(
            "/login",
            &[
                ("email", "bob\u{0}@example.com"),
                ("password", "x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_ne!(
        page.status,
        StatusCode::FORBIDDEN,
        "the form itself was valid"
    );
    // The service still serves the same account.
    app.send(Call::post_json(
        format!("{API}/session"),
        &json!({"email": ALICE, "password": DEMO_PASSWORD}),
    ))
    .await
    .expect(StatusCode::OK);
}

#[tokio::test]
async fn on_sqlite() {
    let app = TestApp::spawn().await;
    nul_in_input_is_a_client_error(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres() {
    let Some(scratch) =
        tokio::task::spawn_blocking(|| PostgresDatabase::create("the rejected-input test"))
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
    nul_in_input_is_a_client_error(&app).await;
    drop(app);
    tokio::task::spawn_blocking(move || drop(scratch))
        .await
        .unwrap();
}
