//! The real `sensei` binary over real HTTP: `serve --demo` on a free loopback port with a
//! temporary SQLite file, the whole flow with a cookie-keeping client, then SIGTERM and a
//! clean exit; a second start on the same file duplicates nothing.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

struct Server {
    child: Child,
    base: String,
    logs: mpsc::Receiver<String>,
}

/// Starts `sensei serve --demo --database-url <db> --bind 127.0.0.1:0` and waits for the
/// banner that tells the bound address.
fn start(db: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(db)
        .env_remove("DATABASE_URL")
        .env_remove("SENSEI_COOKIE_KEY")
        .env_remove("SENSEI_TRUSTED_HEADER")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sensei binary starts");
    let stdout = child.stdout.take().unwrap();
    let (url_tx, url_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            if let Some(rest) = line.split("Sensei demo is running at ").nth(1) {
                let _ = url_tx.send(rest.trim().trim_end_matches('/').to_owned());
            }
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let (log_tx, logs) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = log_tx.send(text);
    });
    let base = url_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the demo banner with the URL");
    Server { child, base, logs }
}

fn client() -> Client {
    crate::helpers::http_client()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn csrf(body: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).expect("a CSRF field") + marker.len();
    let end = body[start..].find('"').unwrap() + start;
    body[start..end].to_owned()
}

fn link_after<'a>(body: &'a str, prefix: &str) -> &'a str {
    let start = body.find(prefix).expect("a link") + prefix.len();
    let end = body[start..].find('"').unwrap() + start;
    &body[start..end]
}

async fn text(client: &Client, url: String) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn sign_in(base: &str, email: &str) -> Client {
    let client = client();
    let (_, login) = text(&client, format!("{base}/login")).await;
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf(&login).as_str()),
            ("email", email),
            ("password", "sensei-demo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

/// Sends SIGTERM and waits for the exit status.
fn stop(mut server: Server) -> String {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = server.child.kill();
            panic!("sensei did not stop within 20 s of SIGTERM");
        }
        thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "sensei exited with {exit:?}");
    server
        .logs
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_binary_serves_the_flow_over_http_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("blackbox.sqlite3");
    let server = start(&db);
    let base = server.base.clone();

    let anonymous = client();
    assert_eq!(
        text(&anonymous, format!("{base}/healthz")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        text(&anonymous, format!("{base}/readyz")).await.0,
        StatusCode::OK
    );
    let response = anonymous.get(format!("{base}/admin")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");

    // Alice books.
    let alice = sign_in(&base, "alice@example.com").await;
    let (_, submissions) = text(&alice, format!("{base}/submissions")).await;
    let submission = link_after(&submissions, "href=\"/submissions/").to_owned();
    let (status, page) = text(&alice, format!("{base}/submissions/{submission}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Schedule a Sensei Session"));
    let booked = alice
        .post(format!("{base}/submissions/{submission}/schedule"))
        .form(&[("csrf_token", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), StatusCode::OK);
    assert!(booked
        .text()
        .await
        .unwrap()
        .contains("Sensei session scheduled"));

    // The instructor sees, opens and completes it.
    let sensei = sign_in(&base, "sensei@example.com").await;
    let (status, dashboard) = text(&sensei, format!("{base}/admin")).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "alice@example.com",
        "Needs work feedback",
        "1 passed, 1 engaged / 3 total",
        "Pending scheduled sessions",
    ] {
        assert!(dashboard.contains(expected), "dashboard lacks {expected}");
    }
    // The demo has other students' sessions too: alice's row is the one after her email.
    let alices_row = &dashboard[dashboard.find("alice@example.com").unwrap()..];
    let id = link_after(alices_row, "href=\"/admin/scheduled-sessions/").to_owned();
    let (status, detail) = text(&sensei, format!("{base}/admin/scheduled-sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("Should I accept URLs without a scheme?"));
    let done = sensei
        .post(format!("{base}/admin/scheduled-sessions/{id}/complete"))
        .form(&[
            ("csrf_token", csrf(&detail).as_str()),
            ("notes", "Good session."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/admin");
    let (_, dashboard) = text(&sensei, format!("{base}/admin")).await;
    assert!(!dashboard.contains("alice@example.com"));

    let logs = stop(server);
    assert!(
        logs.contains("request") && logs.contains("/admin") && logs.contains("status=303"),
        "one log line per request: {logs}"
    );
    assert!(logs.contains("SIGTERM received"), "{logs}");

    // A second start on the same file loads nothing twice.
    let server = start(&db);
    let base = server.base.clone();
    let alice = sign_in(&base, "alice@example.com").await;
    let (_, submissions) = text(&alice, format!("{base}/submissions")).await;
    assert_eq!(submissions.matches("Open submission").count(), 1);
    let sensei = sign_in(&base, "sensei@example.com").await;
    let (_, dashboard) = text(&sensei, format!("{base}/admin")).await;
    // Alice's and the demo's completed session (frank's), each once.
    assert!(dashboard
        .contains("<p class=\"stat-value\">2</p>\n    <p class=\"stat-label\">Completed sessions"));
    stop(server);
}
