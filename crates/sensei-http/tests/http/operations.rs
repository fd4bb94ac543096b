//! What an operator relies on: `/metrics` (each counter moves, the exposition parses), request
//! ids (taken, made, echoed, on every JSON log line of the request), and `sensei backup`
//! (a consistent online copy of SQLite while bookings go on).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use diesel::{Connection, RunQueryDsl};
use poem::http::StatusCode;
use reqwest::Client;
use sensei_core::ports::CreateOutcome;
use sensei_core::{EligibilityReason, EngagementSnapshot, NewScheduledSession};
use serde_json::Value;

use crate::helpers::{demo_submission, Call, SenseiProcess, TestApp, API};

// ---------------------------------------------------------------- the exposition format

/// Parses the Prometheus text format strictly enough to catch a broken exposition: every
/// line that is not blank or a `#` comment must be `name{labels} value` or `name value`, with
/// a metric name, well-formed `label="value"` pairs and a number. Returns each series (name
/// with its labels as written) and its value.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let mut series = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value on line {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("value {other:?} is not a number on line {line:?}")),
        };
        let (name, labels) = match key.split_once('{') {
            Some((name, rest)) => (
                name,
                Some(
                    rest.strip_suffix('}')
                        .unwrap_or_else(|| panic!("unclosed labels on line {line:?}")),
                ),
            ),
            None => (key, None),
        };
        let name_ok = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        assert!(name_ok, "bad metric name {name:?} on line {line:?}");
        if let Some(labels) = labels {
            check_labels(labels, line);
        }
        series.insert(key.to_owned(), value);
    }
    series
}

/// `a="x",b="y"`: names, `=`, quoted values with `\"` `\\` `\n` escapes, commas between.
fn check_labels(labels: &str, line: &str) {
    let mut rest = labels;
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once("=\"")
            .unwrap_or_else(|| panic!("bad label in {line:?}"));
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad label name {name:?} in {line:?}"
        );
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => {
                    chars.next();
                }
                Some((index, '"')) => break index,
                Some(_) => {}
                None => panic!("unterminated label value in {line:?}"),
            }
        };
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

#[test]
fn the_exposition_check_rejects_malformed_lines() {
    let good =
        "# HELP x y\n# TYPE a counter\na 1\nb{c=\"d\",e=\"f\\\"g\"} 2.5\nh_bucket{le=\"+Inf\"} 3\n";
    assert_eq!(parse_exposition(good).len(), 3);
    for bad in ["a", "a{b=\"c\" 1", "a{b=c} 1", "1a 2", "a x", "a{b=\"c} 1"] {
        assert!(
            std::panic::catch_unwind(|| parse_exposition(bad)).is_err(),
            "accepted {bad:?}"
        );
    }
}

// ---------------------------------------------------------------- /metrics, black box

fn client() -> Client {
    crate::helpers::http_client()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn api_sign_in(base: &str, email: &str, password: &str) -> (Client, reqwest::StatusCode) {
    let client = client();
    let status = client
        .post(format!("{base}{API}/session"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "email": email, "password": password }).to_string())
        .send()
        .await
        .unwrap()
        .status();
    (client, status)
}

async fn book(client: &Client, base: &str, submission: i32) -> (reqwest::StatusCode, Value) {
    let response = client
        .post(format!(
            "{base}{API}/submissions/{submission}/scheduled-sessions"
        ))
        .header("x-requested-with", "test")
        .header("x-request-id", "booking-request-1")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn scrape(base: &str) -> BTreeMap<String, f64> {
    let response = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    parse_exposition(&response.text().await.unwrap())
}

fn moved(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, series: &str) -> f64 {
    let after = after
        .get(series)
        .unwrap_or_else(|| panic!("{series} is not exposed; got {:#?}", after.keys()));
    after - before.get(series).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_bookings_completions_and_failed_sign_ins_by_route_template() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("metrics.sqlite3");
    let server = SenseiProcess::start_demo(&db, &["--log-format", "json"]);
    let base = server.base.clone();
    let alice_submission = demo_submission(&db, "alice@example.com").await.get();
    let carol_submission = demo_submission(&db, "carol@example.com").await.get();
    let before = scrape(&base).await;

    let (alice, status) = api_sign_in(&base, "alice@example.com", "sensei-demo").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let (status, created) = book(&alice, &base, alice_submission).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let (status, _) = book(&alice, &base, alice_submission).await;
    assert_eq!(status, reqwest::StatusCode::OK, "the duplicate");
    let (carol, _) = api_sign_in(&base, "carol@example.com", "sensei-demo").await;
    let (status, _) = book(&carol, &base, carol_submission).await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "carol is ineligible"
    );
    let (sensei, _) = api_sign_in(&base, "sensei@example.com", "sensei-demo").await;
    let session = created["session"]["id"].as_i64().expect("the session id");
    let claimed = sensei
        .post(format!("{base}{API}/scheduled-sessions/{session}/claim"))
        .header("X-Requested-With", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status(), reqwest::StatusCode::OK);
    let completed = sensei
        .post(format!(
            "{base}{API}/scheduled-sessions/{session}/completion"
        ))
        .header("content-type", "application/json")
        .body(r#"{"notes":"went well"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(completed.status(), reqwest::StatusCode::OK);
    let too_late = alice
        .post(format!(
            "{base}{API}/scheduled-sessions/{session}/cancellation"
        ))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        too_late.status(),
        reqwest::StatusCode::CONFLICT,
        "completed already"
    );
    let (_, status) = api_sign_in(&base, "alice@example.com", "wrong password").await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    let after = scrape(&base).await;
    for (series, by) in [
        (r#"sensei_bookings_total{outcome="created"}"#, 1.0),
        (r#"sensei_bookings_total{outcome="duplicate"}"#, 1.0),
        (r#"sensei_bookings_total{outcome="refused"}"#, 1.0),
        (r#"sensei_booking_refusals_total{reason="ineligible"}"#, 1.0),
        (r#"sensei_completions_total{outcome="completed"}"#, 1.0),
        (r#"sensei_claims_total{action="claim",outcome="done"}"#, 1.0),
        (
            r#"sensei_cancellations_total{outcome="session_closed"}"#,
            1.0,
        ),
        (
            r#"sensei_sign_in_failures_total{reason="invalid_credentials"}"#,
            1.0,
        ),
        (
            r#"sensei_http_requests_total{method="POST",route="/api/v1/submissions/:id/scheduled-sessions",status="201"}"#,
            1.0,
        ),
        (
            r#"sensei_http_requests_total{method="POST",route="/api/v1/submissions/:id/scheduled-sessions",status="422"}"#,
            1.0,
        ),
        (
            r#"sensei_http_request_duration_seconds_count{method="POST",route="/api/v1/session",status="401"}"#,
            1.0,
        ),
    ] {
        assert_eq!(moved(&before, &after, series), by, "{series}");
    }
    assert!(
        moved(
            &before,
            &after,
            r#"sensei_db_pool_wait_seconds_count{backend="sqlite"}"#
        ) >= 5.0
    );
    assert!(after.contains_key(r#"sensei_db_pool_connections{backend="sqlite",state="idle"}"#));
    assert!(after.contains_key(r#"sensei_db_pool_connections{backend="sqlite",state="in_use"}"#));
    assert!(after.keys().any(|key| key.starts_with(
        r#"sensei_http_request_duration_seconds_bucket{method="POST",route="/api/v1/session",status="401",le=""#
    )));
    // Routes are templates: no raw id ever becomes a label.
    let raw = format!("/submissions/{alice_submission}/");
    assert!(after.keys().all(|key| !key.contains(&raw)), "{after:#?}");

    // The booking request's log lines (JSON) all carry its id.
    let logs = server.stop();
    let mut booking_lines = 0;
    for line in logs.lines().filter(|line| !line.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not a JSON log line ({error}): {line}"));
        if line.contains("booking-request-1") {
            assert_eq!(entry["span"]["request_id"], "booking-request-1", "{line}");
            booking_lines += 1;
        }
    }
    // Four requests carried the id: each logged its request line, the first also "session
    // booked".
    assert!(booking_lines >= 4, "{logs}");
    assert!(
        logs.lines().any(|line| line.contains("session booked")
            && line.contains(r#""request_id":"booking-request-1""#)),
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_json_log_line_of_a_request_carries_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("logs.sqlite3");
    let server = SenseiProcess::start_demo(&db, &["--log-format", "json"]);
    let alice_submission = demo_submission(&db, "alice@example.com").await.get();
    let (alice, _) = api_sign_in(&server.base, "alice@example.com", "sensei-demo").await;
    let response = alice
        .post(format!(
            "{}{API}/submissions/{alice_submission}/scheduled-sessions",
            server.base
        ))
        .header("x-requested-with", "test")
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let logs = server.stop();
    let lines: Vec<Value> = logs
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|line| line["span"]["request_id"] == "abc-123")
        .collect();
    let messages: Vec<&str> = of_request
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str())
        .collect();
    assert!(messages.contains(&"session booked"), "{logs}");
    assert!(messages.contains(&"request"), "{logs}");
    // Nothing that mentions the id lies outside its span.
    assert_eq!(
        logs.lines().filter(|line| line.contains("abc-123")).count(),
        of_request.len()
    );
}

// ---------------------------------------------------------------- request ids, in-process

#[tokio::test]
async fn a_well_formed_request_id_is_echoed_and_a_malformed_one_replaced() {
    let app = TestApp::spawn().await;
    let kept = app
        .send(Call::get("/healthz").header("x-request-id", "abc-123"))
        .await;
    assert_eq!(kept.header("x-request-id"), Some("abc-123"));
    for bad in ["has space", "<script>", &"x".repeat(65)] {
        let replaced = app
            .send(Call::get(format!("{API}/session")).header("x-request-id", bad))
            .await;
        let id = replaced.header("x-request-id").expect("an id").to_owned();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    let made = app.send(Call::get("/login")).await;
    assert!(made.header("x-request-id").is_some());
}

#[tokio::test]
async fn the_api_reference_is_served_under_the_pages_strict_policy() {
    let app = TestApp::spawn().await;
    let docs = app.client.get("/api/v1/docs").send().await;
    docs.assert_status(StatusCode::OK);
    let policy = docs.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let body = docs.0.into_body().into_string().await.unwrap();
    assert!(
        body.contains("id=\"op-bookSession\""),
        "rendered from the document (see api_reference.rs)"
    );
    let login = app.client.get("/login").send().await;
    let strict = login.0.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert_eq!(strict, policy, "one policy for every page");
}

// ---------------------------------------------------------------- backup

fn sensei(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the sensei binary runs")
}

fn integrity(path: &Path) -> (String, Vec<i32>) {
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    let mut conn = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    let ids: Vec<Id> = diesel::sql_query("SELECT id FROM scheduled_sessions")
        .load(&mut conn)
        .unwrap();
    (
        checks
            .into_iter()
            .map(|check| check.integrity_check)
            .collect::<Vec<_>>()
            .join("; "),
        ids.into_iter().map(|row| row.id).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_bookings_go_on_is_consistent_and_holds_every_confirmed_booking() {
    let app = TestApp::spawn().await;
    let source = app.sqlite_path().to_owned();
    let user = app.user_id("alice@example.com").await;
    let submission = app.submission_of("alice@example.com").await;
    let sessions = app.database.ports().sessions;

    // A writer books without pause (each insert its own confirmed transaction), recording
    // every booking as soon as it is confirmed.
    let confirmed = Arc::new(Mutex::new(Vec::<i32>::new()));
    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let (confirmed, running) = (confirmed.clone(), running.clone());
        tokio::spawn(async move {
            while running.load(Ordering::SeqCst) {
                let now = Utc::now();
                let new = NewScheduledSession {
                    submission_id: submission,
                    user_id: user,
                    reason: EligibilityReason::NeedsWorkFeedback,
                    engagement: EngagementSnapshot::default(),
                    scheduled_at: now,
                };
                // The window starts now, so every booking is new; no open-session limit here.
                match sessions
                    .create_unless_recent(new, now, u32::MAX)
                    .await
                    .unwrap()
                {
                    CreateOutcome::Created(session) => {
                        confirmed.lock().unwrap().push(session.id.get())
                    }
                    CreateOutcome::Existing(_) | CreateOutcome::TooManyOpen { .. } => {}
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.sqlite3");
    let before_backup: Vec<i32> = confirmed.lock().unwrap().clone();
    assert!(before_backup.len() > 3, "the writer is booking");
    let output = tokio::task::spawn_blocking({
        let (source, copy) = (source.clone(), copy.clone());
        move || {
            sensei(&[
                "backup",
                "--database-url",
                source.to_str().unwrap(),
                "--to",
                copy.to_str().unwrap(),
            ])
        }
    })
    .await
    .unwrap();
    let during = confirmed.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(100)).await;
    running.store(false, Ordering::SeqCst);
    writer.await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("backed up") && stdout.contains("scheduled sessions"),
        "{stdout}"
    );
    assert!(
        during > before_backup.len(),
        "bookings went on during the backup"
    );

    let (check, ids) = integrity(&copy);
    assert_eq!(check, "ok");
    for id in &before_backup {
        assert!(
            ids.contains(id),
            "booking {id} confirmed before the backup is missing"
        );
    }
    let all = confirmed.lock().unwrap().len();
    assert!(
        ids.len() < all + 10,
        "the copy holds no more than was written"
    );

    // Never overwrites; clear errors, non-zero exits.
    let again = sensei(&[
        "backup",
        "--database-url",
        source.to_str().unwrap(),
        "--to",
        copy.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let postgres = sensei(&[
        "backup",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "--to",
        dir.path().join("pg.dump").to_str().unwrap(),
    ]);
    assert!(!postgres.status.success());
    assert!(String::from_utf8_lossy(&postgres.stderr).contains("pg_dump"));
    let missing_dir = sensei(&[
        "backup",
        "--database-url",
        source.to_str().unwrap(),
        "--to",
        dir.path().join("no/such/dir/b.sqlite3").to_str().unwrap(),
    ]);
    assert!(!missing_dir.status.success());
    assert!(String::from_utf8_lossy(&missing_dir.stderr).contains("does not exist"));
}

#[tokio::test]
async fn a_backup_never_writes_through_a_symbolic_link() {
    let app = TestApp::spawn().await;
    let source = app.sqlite_path().to_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let backup_to = |to: &Path| {
        sensei(&[
            "backup",
            "--database-url",
            &source,
            "--to",
            to.to_str().unwrap(),
        ])
    };

    // A dangling link: following it would create the file it names.
    let elsewhere = dir.path().join("elsewhere.sqlite3");
    let dangling = dir.path().join("dangling.sqlite3");
    std::os::unix::fs::symlink(&elsewhere, &dangling).unwrap();
    let refused = backup_to(&dangling);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(
        !elsewhere.exists(),
        "nothing was written at the link's target"
    );
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());

    // A link to an existing file: refused too, and the file is untouched.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = dir.path().join("link.sqlite3");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let refused = backup_to(&link);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");

    // A new name still works, and the copy is the owner's alone (it holds password hashes).
    let fresh = dir.path().join("fresh.sqlite3");
    let made = backup_to(&fresh);
    assert!(made.status.success(), "{made:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}
