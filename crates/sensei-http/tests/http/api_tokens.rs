//! API tokens end to end: made with `sensei token create` (the real binary) on the app's
//! database, then `Authorization: Bearer` on the JSON API through the real router: the
//! owner's permissions, no forgery marker, 401 with `WWW-Authenticate: Bearer` once revoked,
//! expired or disabled (disabling revokes them for good), last use written at most once a minute (a test clock), the scheme in
//! the OpenAPI document; and over real HTTP, failures throttled with 429 and no token in the
//! logs.

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use poem::http::StatusCode;
use poem::test::TestClient;
use sensei_core::ports::Clock;
use sensei_core::services::{ApiTokenService, TokenManager};
use sensei_core::ApiTokenLifetime;
use sensei_http::build_router;
use sensei_http::calendar::OsRandom;
use sensei_http::demo::{ALICE, INSTRUCTOR};

use crate::helpers::{Call, Reply, TestApp, API};
use crate::served::Served;

/// A token that has the right shape but was never issued.
const UNKNOWN: &str = "sst_0000000000000000000000000000000000000000000000000000000000000000";

/// Runs `sensei ARGS --database-url URL`, output captured.
fn sensei(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(args)
        .args(["--database-url", url])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the sensei binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn url_of(app: &TestApp) -> String {
    format!("sqlite:{}", app.sqlite_path().display())
}

/// `sensei token create --user EMAIL ...`: the token, alone on standard output.
fn create_on_cli(url: &str, email: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--user", email];
    args.extend_from_slice(extra);
    let created = sensei(url, &args);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let token = stdout.trim().to_owned();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the token on stdout: {stdout}"
    );
    assert!(token.starts_with("sst_") && token.len() == 68, "{token}");
    let stderr = text(&created.stderr);
    assert!(
        stderr.contains("shown once") && !stderr.contains(&token),
        "{stderr}"
    );
    token
}

fn bearer(call: Call, token: &str) -> Call {
    call.header("Authorization", &format!("Bearer {token}"))
}

#[track_caller]
fn assert_refused(reply: &Reply) {
    reply.expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
}

#[tokio::test]
async fn a_token_made_on_the_cli_lists_sessions_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let url = url_of(&app);
    let cookie = app.sign_in_through_api(ALICE).await;
    app.book(&cookie, app.submission_of(ALICE).await)
        .await
        .expect(StatusCode::CREATED);
    let token = create_on_cli(
        &url,
        INSTRUCTOR,
        &["--name", "nightly export", "--expires", "30d"],
    );

    let list = app
        .send(bearer(
            Call::get(format!("{API}/scheduled-sessions")),
            &token,
        ))
        .await;
    let body = list.expect(StatusCode::OK);
    assert_eq!(body["total"], 1, "{}", list.text);
    assert_eq!(body["items"][0]["student_email"], ALICE, "{}", list.text);
    let me = app
        .send(bearer(Call::get(format!("{API}/session")), &token))
        .await;
    assert_eq!(me.expect(StatusCode::OK)["email"], INSTRUCTOR);

    let listed = sensei(&url, &["token", "list"]);
    let listed_text = text(&listed.stdout);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(
        listed_text.contains("1\tnightly export\tsensei@example.com\t")
            && listed_text.contains("\tactive"),
        "{listed_text}"
    );
    assert!(
        !listed_text.contains(&token[4..]),
        "never the secret: {listed_text}"
    );

    let revoke = sensei(&url, &["token", "revoke", "1"]);
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    assert_refused(
        &app.send(bearer(
            Call::get(format!("{API}/scheduled-sessions")),
            &token,
        ))
        .await,
    );
    // A revoked token stays revoked, and the cookie with it does not help.
    assert_refused(
        &app.send(bearer(Call::get(format!("{API}/session")), &token).cookie(&cookie))
            .await,
    );
    let again = sensei(&url, &["token", "revoke", "1"]);
    assert_eq!(again.status.code(), Some(1));
    let stderr = text(&again.stderr);
    assert_eq!(stderr.matches("error:").count(), 1, "said once: {stderr}");
    assert!(stderr.contains("there is no API token 1"), "{stderr}");
    assert!(
        text(&sensei(&url, &["token", "list", "--user", INSTRUCTOR]).stdout).contains("\trevoked")
    );
}

#[tokio::test]
async fn expired_unknown_malformed_and_disabled_owners_tokens_get_401() {
    let app = TestApp::spawn().await;
    let url = url_of(&app);
    let alice = create_on_cli(&url, ALICE, &[]);
    let instructor = create_on_cli(&url, INSTRUCTOR, &["--expires", "1d"]);
    let path = format!("{API}/me/scheduled-sessions");
    app.send(bearer(Call::get(&path), &alice))
        .await
        .expect(StatusCode::OK);

    app.execute_sql("UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00.000000' WHERE id = 2");
    assert_refused(
        &app.send(bearer(Call::get(format!("{API}/session")), &instructor))
            .await,
    );
    assert_refused(&app.send(bearer(Call::get(&path), UNKNOWN)).await);
    assert_refused(&app.send(bearer(Call::get(&path), "not-a-token")).await);
    assert_refused(
        &app.send(Call::get(&path).header("Authorization", "Basic YTpi"))
            .await,
    );

    let disable = sensei(&url, &["user", "disable", ALICE]);
    assert!(disable.status.success(), "{}", text(&disable.stderr));
    assert_refused(&app.send(bearer(Call::get(&path), &alice)).await);
    // Its tokens are still listed, revoked: disabling ended them.
    let listed = sensei(&url, &["token", "list", "--user", ALICE]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    assert!(
        listed.contains("alice@example.com") && listed.contains("revoked"),
        "{listed}"
    );
    let enable = sensei(&url, &["user", "enable", ALICE]);
    assert!(enable.status.success(), "{}", text(&enable.stderr));
    // Enabling the account brings no token back.
    assert_refused(&app.send(bearer(Call::get(&path), &alice)).await);

    // A disabled account gets no new token either.
    assert!(sensei(&url, &["user", "disable", ALICE]).status.success());
    let refused = sensei(&url, &["token", "create", "--user", ALICE]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    assert!(
        text(&refused.stderr).contains("is disabled"),
        "{}",
        text(&refused.stderr)
    );
    for bad in [["--expires", "400d"], ["--expires", "never"]] {
        let mut args = vec!["token", "create", "--user", INSTRUCTOR];
        args.extend_from_slice(&bad);
        let refused = sensei(&url, &args);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
        assert!(refused.stdout.is_empty());
    }
}

#[tokio::test]
async fn a_students_token_has_a_students_permissions_and_books_without_a_forgery_marker() {
    let app = TestApp::spawn().await;
    let token = create_on_cli(&url_of(&app), ALICE, &[]);
    app.send(bearer(
        Call::get(format!("{API}/scheduled-sessions")),
        &token,
    ))
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let submission = app.submission_of(ALICE).await;
    let book = Call::new(
        poem::http::Method::POST,
        format!("{API}/submissions/{submission}/scheduled-sessions"),
    );
    // The cookie needs the marker; the token does not.
    let cookie = app.sign_in_through_api(ALICE).await;
    app.send(
        Call::new(
            poem::http::Method::POST,
            format!("{API}/submissions/{submission}/scheduled-sessions"),
        )
        .cookie(&cookie),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "csrf_rejected");
    let booked = app.send(bearer(book, &token)).await;
    assert_eq!(booked.expect(StatusCode::CREATED)["outcome"], "created");
    let mine = app
        .send(bearer(
            Call::get(format!("{API}/me/scheduled-sessions")),
            &token,
        ))
        .await;
    assert!(
        mine.text
            .contains(&format!("\"submission_id\":{submission}")),
        "{}",
        mine.text
    );
    // The CSV export answers the token too (instructors only).
    let csv = app
        .send(bearer(
            Call::get(format!("{API}/scheduled-sessions.csv")),
            &token,
        ))
        .await;
    assert_eq!(csv.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tokens_are_not_accepted_on_pages() {
    let app = TestApp::spawn().await;
    let token = create_on_cli(&url_of(&app), INSTRUCTOR, &[]);
    let response = app
        .client
        .get("/admin")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
}

/// A clock the test moves.
struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let mut app = TestApp::spawn().await;
    let start = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(start)));
    let tokens = ApiTokenService::new(
        Arc::new(app.database.api_tokens()),
        Arc::new(app.database.accounts()),
        Arc::new(OsRandom),
        clock.clone(),
    );
    app.state = app.state.clone().with_api_tokens(tokens.clone());
    app.client = TestClient::new(build_router(app.state.clone()));
    let owner = app.user_id(INSTRUCTOR).await;
    let created = tokens
        .create(
            TokenManager::Operator("cli:test".to_owned()),
            owner,
            "",
            ApiTokenLifetime::default(),
        )
        .await
        .unwrap();
    let last_used = || async {
        tokens
            .list(TokenManager::Operator("cli:test".to_owned()), None)
            .await
            .unwrap()
            .tokens[0]
            .last_used_at
    };
    assert_eq!(last_used().await, None);
    let call = || bearer(Call::get(format!("{API}/session")), created.token.as_str());

    app.send(call()).await.expect(StatusCode::OK);
    assert_eq!(last_used().await, Some(start));
    for seconds in [1, 30, 59] {
        *clock.0.lock().unwrap() = start + Duration::seconds(seconds);
        app.send(call()).await.expect(StatusCode::OK);
        assert_eq!(
            last_used().await,
            Some(start),
            "{seconds} s later: not written"
        );
    }
    let minute = start + Duration::seconds(61);
    *clock.0.lock().unwrap() = minute;
    app.send(call()).await.expect(StatusCode::OK);
    assert_eq!(last_used().await, Some(minute));

    // Past its expiry (the same clock), the token is refused.
    *clock.0.lock().unwrap() = created.expires_at;
    assert_refused(&app.send(call()).await);
}

#[tokio::test]
async fn the_openapi_document_declares_the_token_and_the_cookie() {
    let app = TestApp::spawn().await;
    let document = app.send(Call::get(format!("{API}/openapi.json"))).await;
    assert_eq!(document.status, StatusCode::OK);
    let spec = &document.json;
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["apiToken"]["type"], "http", "{schemes}");
    assert_eq!(schemes["apiToken"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["sessionCookie"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["sessionCookie"]["in"], "cookie", "{schemes}");
    let security = &spec["paths"]["/scheduled-sessions"]["get"]["security"];
    assert!(
        security.to_string().contains("apiToken") && security.to_string().contains("sessionCookie"),
        "{security}"
    );
    // Signing in needs no credential.
    assert!(spec["paths"]["/session"]["post"].get("security").is_none());
    let docs = app.client.get(format!("{API}/docs")).send().await;
    docs.assert_status_is_ok();
}

#[tokio::test]
async fn over_real_http_failed_tokens_meet_429_and_no_token_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.sqlite3");
    let db = path.display().to_string();
    let served = Served::start(&db, &["--sign-in-per-address-per-minute", "3"]);
    let token = create_on_cli(&format!("sqlite:{db}"), INSTRUCTOR, &["--name", "logs"]);
    let client = crate::helpers::http_client().build().unwrap();
    let get = |token: &str| {
        client
            .get(format!("{}{API}/scheduled-sessions", served.base))
            .header("Authorization", format!("Bearer {token}"))
            .header("X-Request-Id", "tokens-test")
            .send()
    };
    assert_eq!(get(&token).await.unwrap().status(), 200);
    for _ in 0..3 {
        assert_eq!(get(UNKNOWN).await.unwrap().status(), 401);
    }
    let limited = get(UNKNOWN).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // The address spent its failures: the right token waits too, and so do sign-ins.
    assert_eq!(get(&token).await.unwrap().status(), 429);
    let sign_in = client
        .post(format!("{}{API}/session", served.base))
        .header("Content-Type", "application/json")
        .body(serde_json::json!({"email": INSTRUCTOR, "password": "sensei-demo"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 429);

    let logs = served.logs();
    assert!(logs.contains("refused an invalid API token"), "{logs}");
    assert!(
        logs.contains("/api/v1/scheduled-sessions"),
        "requests are logged: {logs}"
    );
    assert!(
        !logs.contains(&token[4..]),
        "the token is in the logs: {logs}"
    );
    assert!(
        !logs.contains(&UNKNOWN[4..]),
        "a guessed token is in the logs: {logs}"
    );
    assert!(!logs.contains("Bearer"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_token_works_until_revoked_and_records_its_use() {
    let Some(scratch) = tokio::task::spawn_blocking(|| {
        crate::helpers::PostgresDatabase::create("the API tokens test")
    })
    .await
    .unwrap() else {
        return;
    };
    let app = TestApp::over_demo_postgres(&scratch).await;
    let owner = app.user_id(INSTRUCTOR).await;
    let created = app
        .state
        .tokens
        .create(
            TokenManager::Operator("cli:test".to_owned()),
            owner,
            "pg",
            ApiTokenLifetime::default(),
        )
        .await
        .unwrap();
    let call = || {
        bearer(
            Call::get(format!("{API}/scheduled-sessions")),
            created.token.as_str(),
        )
    };
    app.send(call()).await.expect(StatusCode::OK);
    let listed = app
        .state
        .tokens
        .list(TokenManager::Operator("cli:test".to_owned()), None)
        .await
        .unwrap();
    assert!(listed.tokens[0].last_used_at.is_some());
    app.state
        .tokens
        .revoke(TokenManager::Operator("cli:test".to_owned()), created.id)
        .await
        .unwrap();
    assert_refused(&app.send(call()).await);
    drop(app);
    tokio::task::spawn_blocking(move || drop(scratch))
        .await
        .unwrap();
}
