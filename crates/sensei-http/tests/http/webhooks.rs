//! Webhooks end to end, against a receiver on 127.0.0.1: every event type arrives signed; a
//! receiver that fails three times gets the event once, with four attempts in the log; two
//! `sensei serve` processes on one PostgreSQL database deliver each event once; a server
//! killed with SIGKILL between the change and the delivery delivers after its restart; the
//! instructors' page.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::web::Data;
use poem::{handler, post, EndpointExt, Request, Response, Route, Server};
use sensei_core::ports::SystemClock;
use sensei_core::services::{WebhookManager, WebhookService};
use sensei_core::{
    Actor, AddressPolicy, AddressRange, Policy, RetryPolicy, SenseiService, SubmissionId, UserId,
    WebhookSecret,
};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::demo::{ALICE, INSTRUCTOR};
use sensei_http::webhooks::jitter::OsJitter;
use sensei_http::webhooks::sign::verify;
use sensei_http::webhooks::WebhookSettings;
use sensei_http::{AppConfig, Application};
use serde_json::Value;

use crate::helpers::{PostgresDatabase, TestApp};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    signature: String,
    pub(crate) event_header: String,
    body: Vec<u8>,
    /// When it arrived (before the receiver's delay).
    pub(crate) at: chrono::DateTime<chrono::Utc>,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Received>>,
    /// Statuses to answer, in order; 200 once they run out.
    script: Mutex<VecDeque<u16>>,
    delay: Duration,
}

#[handler]
async fn receive(req: &Request, body: Vec<u8>, inbox: Data<&Arc<Inbox>>) -> Response {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    inbox.received.lock().unwrap().push(Received {
        signature: header("sensei-signature"),
        event_header: header("sensei-event-id"),
        body,
        at: chrono::Utc::now(),
    });
    if !inbox.delay.is_zero() {
        tokio::time::sleep(inbox.delay).await;
    }
    let status = inbox.script.lock().unwrap().pop_front().unwrap_or(200);
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .finish()
}

/// A receiver on 127.0.0.1.
pub(crate) struct Receiver {
    address: SocketAddr,
    inbox: Arc<Inbox>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub(crate) async fn start(script: &[u16], delay: Duration) -> Receiver {
        Self::start_at("127.0.0.1:0", script, delay).await
    }

    async fn start_at(address: &str, script: &[u16], delay: Duration) -> Receiver {
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let address = listener.local_addr().unwrap();
        let inbox = Arc::new(Inbox {
            script: Mutex::new(script.iter().copied().collect()),
            delay,
            ..Inbox::default()
        });
        let app = Route::new().at("/hook", post(receive)).data(inbox.clone());
        let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
        let task = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Receiver {
            address,
            inbox,
            task,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    /// Waits (at most `within`) until `count` requests arrived.
    pub(crate) async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got {} of {count} requests within {within:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The tests' receivers are on loopback, which only an allowed range admits.
pub(crate) fn loopback() -> Vec<AddressRange> {
    vec!["127.0.0.0/8".parse().unwrap()]
}

fn webhooks(database: &Database) -> WebhookService {
    WebhookService::new(
        Arc::new(database.webhooks()),
        Arc::new(SystemClock),
        Arc::new(OsJitter),
        RetryPolicy::default(),
    )
    .with_address_check(AddressPolicy::allowing(loopback()), None)
}

/// Adds an endpoint for `url` and returns its secret.
pub(crate) async fn add_endpoint(database: &Database, url: &str) -> String {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).unwrap();
    webhooks(database)
        .add_endpoint(
            WebhookManager::Operator,
            url,
            "",
            WebhookSecret::from_bytes(&bytes),
        )
        .await
        .unwrap()
        .secret
        .as_str()
        .to_owned()
}

/// Fast settings: poll every 50 ms, retry after 100 ms.
fn fast() -> WebhookSettings {
    WebhookSettings {
        concurrency: 4,
        attempt_timeout: Duration::from_secs(2),
        poll_interval: Duration::from_millis(50),
        retry_base: Duration::from_millis(100),
        allow: loopback(),
    }
}

/// The real service with its delivery worker, in this process, over `app`'s database.
async fn serve(app: &TestApp) {
    let config = AppConfig {
        webhooks: fast(),
        ..AppConfig::for_tests().unwrap()
    };
    let server = Application::build(config, app.database.clone())
        .await
        .unwrap();
    tokio::spawn(server.run_until(std::future::pending()));
}

fn assert_signed(received: &Received, secret: &str) -> Value {
    assert!(
        verify(secret, &received.signature, &received.body),
        "bad signature {:?}",
        received.signature
    );
    let timestamp: i64 = received
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    let json = received.json();
    assert_eq!(json["id"].to_string(), received.event_header);
    json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_type_arrives_signed() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[], Duration::ZERO).await;
    let secret = add_endpoint(&app.database, &receiver.url()).await;
    serve(&app).await;

    let service = &app.state.service;
    let alice = Actor::student(app.user_id(ALICE).await);
    let sensei = Actor::instructor(app.user_id(INSTRUCTOR).await);
    let submission = app.submission_of(ALICE).await;
    let first = service.book(alice, submission).await.unwrap().session.id;
    service.cancel(alice, first, "not now").await.unwrap();
    let id = service.book(alice, submission).await.unwrap().session.id;
    service.claim(sensei, id).await.unwrap();
    service.renew_claim(sensei, id).await.unwrap();
    service.release_claim(sensei, id).await.unwrap();
    service.claim(sensei, id).await.unwrap();
    service
        .complete_with_notes(sensei, id, "private", "")
        .await
        .unwrap();

    let received = receiver.wait_for(8, Duration::from_secs(20)).await;
    let mut types: Vec<String> = received
        .iter()
        .map(|received| {
            assert_signed(received, &secret)["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(
        types,
        [
            "session.booked",
            "session.cancelled",
            "session.claimed",
            "session.completed",
            "session.released",
            "session.renewed"
        ]
    );
    let completed = received
        .iter()
        .map(Received::json)
        .find(|json| json["type"] == "session.completed")
        .unwrap();
    assert_eq!(completed["session"]["id"], id.get());
    assert_eq!(completed["session"]["state"], "completed");
    assert_eq!(completed["session"]["previous_state"], "claimed");
    assert_eq!(completed["actor_id"], sensei.user_id.get());
    assert_eq!(completed["session"]["submission_id"], submission.get());
    assert!(completed["occurred_at"].as_str().unwrap().ends_with('Z'));
    let cancelled = received
        .iter()
        .map(Received::json)
        .find(|json| json["type"] == "session.cancelled")
        .unwrap();
    assert_eq!(cancelled["detail"], "not now");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 8, "each event once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_three_times_gets_the_event_once_after_four_attempts() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[500, 500, 500], Duration::ZERO).await;
    let secret = add_endpoint(&app.database, &receiver.url()).await;
    serve(&app).await;
    let alice = Actor::student(app.user_id(ALICE).await);
    app.state
        .service
        .book(alice, app.submission_of(ALICE).await)
        .await
        .unwrap();

    let received = receiver.wait_for(4, Duration::from_secs(20)).await;
    let ids: Vec<Value> = received
        .iter()
        .map(|received| assert_signed(received, &secret)["id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "one event: {ids:?}");
    let log = wait_for_log(&app.database, 4).await;
    let outcomes: Vec<(&str, Option<u16>)> = log
        .iter()
        .map(|entry| (entry.outcome.as_str(), entry.status))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("delivered", Some(200)),
            ("retry", Some(500)),
            ("retry", Some(500)),
            ("retry", Some(500)),
        ]
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 4, "nothing after the success");
    assert_eq!(
        webhooks(&app.database)
            .delivery_log(WebhookManager::Operator, 50)
            .await
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_to_a_refused_address_never_connects_and_is_logged_in_generic_words() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[], Duration::ZERO).await;
    // Stored while loopback was allowed (the helper allows it); the server now refuses it,
    // written as an address and as a name that resolves to loopback.
    add_endpoint(&app.database, &receiver.url()).await;
    let by_name = receiver.url().replace("127.0.0.1", "localhost");
    add_endpoint(&app.database, &by_name).await;
    let config = AppConfig {
        webhooks: WebhookSettings {
            allow: Vec::new(),
            ..fast()
        },
        ..AppConfig::for_tests().unwrap()
    };
    let server = Application::build(config, app.database.clone())
        .await
        .unwrap();
    tokio::spawn(server.run_until(std::future::pending()));
    let alice = Actor::student(app.user_id(ALICE).await);
    app.state
        .service
        .book(alice, app.submission_of(ALICE).await)
        .await
        .unwrap();

    let log = wait_for_log(&app.database, 2).await;
    for entry in &log {
        let error = entry.error.as_deref().unwrap_or_default();
        assert!(error.starts_with("refused: "), "{error}");
        assert_eq!(entry.summary(), "address not allowed");
        assert_eq!(entry.status, None);
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );

    app.execute_sql(&format!(
        "UPDATE users SET role = 'admin' WHERE email = '{INSTRUCTOR}'"
    ));
    let page = app.signed_in(INSTRUCTOR).await.get("/admin/webhooks").await;
    page.assert_contains("address not allowed")
        .assert_lacks("resolves only to");
}

/// The delivery log once it holds `count` attempts (at most 10 s).
async fn wait_for_log(database: &Database, count: usize) -> Vec<sensei_core::AttemptLogEntry> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = webhooks(database)
            .delivery_log(WebhookManager::Operator, 50)
            .await
            .unwrap();
        if log.len() >= count {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "the log has {} attempts",
            log.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn admins_manage_endpoints_on_their_page_and_instructors_and_students_may_not() {
    let config = AppConfig {
        webhooks: WebhookSettings {
            allow: loopback(),
            ..WebhookSettings::default()
        },
        ..AppConfig::for_tests().unwrap()
    };
    let app = TestApp::spawn_with(config).await;
    let instructor = app.signed_in(INSTRUCTOR).await;
    instructor
        .get("/admin/webhooks")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    instructor
        .get("/admin")
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("/admin/webhooks");
    app.execute_sql(&format!(
        "UPDATE users SET role = 'admin' WHERE email = '{INSTRUCTOR}'"
    ));
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .get("/admin")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("/admin/webhooks");
    let page = sensei.get("/admin/webhooks").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("No endpoints yet");
    let token = page.csrf();
    sensei
        .post(
            "/admin/webhooks",
            &[
                ("url", "ftp://nope"),
                ("events", ""),
                ("csrf_token", &token),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("is not an http:// or https:// URL");
    sensei
        .post("/admin/webhooks", &[("url", "https://example.com/<b>")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let added = sensei
        .post(
            "/admin/webhooks",
            &[
                ("url", "http://robot:s3cret@127.0.0.1:9/hook?a=1&b=2"),
                ("events", "booked, cancelled"),
                ("csrf_token", &token),
            ],
        )
        .await;
    added
        .assert_status(StatusCode::OK)
        .assert_contains("shown this once")
        .assert_contains("http://***@127.0.0.1:9/hook?a=1&#38;b=2")
        .assert_lacks("s3cret")
        .assert_contains("booked,cancelled");
    let listed = webhooks(&app.database)
        .endpoints(WebhookManager::Operator)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let again = sensei.get("/admin/webhooks").await;
    again.assert_lacks("shown this once");

    let student = app.signed_in(ALICE).await;
    student
        .get("/admin/webhooks")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let student_token = student.csrf_from("/sessions").await;
    student
        .post(
            &format!("/admin/webhooks/{}/remove", listed[0].id),
            &[("csrf_token", &student_token)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.browser()
        .get("/admin/webhooks")
        .await
        .assert_redirect("/login");

    sensei
        .post(
            &format!("/admin/webhooks/{}/remove", listed[0].id),
            &[("csrf_token", &token)],
        )
        .await
        .assert_redirect("/admin/webhooks");
    sensei
        .post("/admin/webhooks/999/remove", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sensei
        .post("/admin/webhooks/abc/remove", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    assert!(webhooks(&app.database)
        .endpoints(WebhookManager::Operator)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_page_refuses_endpoints_on_loopback_private_and_metadata_addresses_by_default() {
    let app = TestApp::spawn().await;
    app.execute_sql(&format!(
        "UPDATE users SET role = 'admin' WHERE email = '{INSTRUCTOR}'"
    ));
    let admin = app.signed_in(INSTRUCTOR).await;
    let token = admin.get("/admin/webhooks").await.csrf();
    // `localhost` resolves to 127.0.0.1 from the hosts file, without asking DNS.
    for (url, address) in [
        ("http://127.0.0.1:9/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://localhost:9/", ""),
    ] {
        // `localhost` may resolve to ::1 first: any refused address will do.
        let needle = if address.is_empty() {
            "which is not a public address".to_owned()
        } else {
            format!("points to {address}, which is not a public address")
        };
        admin
            .post(
                "/admin/webhooks",
                &[("url", url), ("events", ""), ("csrf_token", &token)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(&needle);
    }
    assert!(webhooks(&app.database)
        .endpoints(WebhookManager::Operator)
        .await
        .unwrap()
        .is_empty());
}

/// A `sensei serve` child process with fast webhook settings, killed when dropped.
pub(crate) struct ServeProcess {
    child: Child,
}

impl ServeProcess {
    fn start(database_url: &str) -> ServeProcess {
        Self::start_with(database_url, 1000, 200)
    }

    /// With this attempt timeout and first retry's wait (milliseconds).
    pub(crate) fn start_with(database_url: &str, timeout_ms: u32, retry_ms: u32) -> ServeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
            .args([
                "serve",
                "--database-url",
                database_url,
                "--bind",
                "127.0.0.1:0",
                "--webhook-poll-ms",
                "50",
                "--webhook-retry-base-ms",
                &retry_ms.to_string(),
                "--webhook-timeout-ms",
                &timeout_ms.to_string(),
                "--webhook-allow",
                "127.0.0.0/8",
            ])
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove("SENSEI_COOKIE_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sensei serve");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("http://") {
                    let _ = sender.send(());
                }
            }
        });
        if receiver.recv_timeout(Duration::from_secs(20)).is_err() {
            let _ = child.kill();
            panic!("sensei serve did not start within 20 s");
        }
        ServeProcess { child }
    }

    /// SIGKILL: no shutdown, no recording of anything in flight.
    fn kill_9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A migrated database at `url` with an instructor, a student and one eligible submission.
pub(crate) async fn database_with_a_booking(
    url: &str,
) -> (Database, SenseiService, Actor, SubmissionId) {
    let url = DatabaseUrl::parse(url).unwrap();
    let database = Database::connect(&url, PoolOptions::for_url(&url)).unwrap();
    database.migrate().await.unwrap();
    let accounts = database.accounts();
    let student = accounts
        .create("student@example.com", sensei_core::Role::Student, "-")
        .await
        .unwrap();
    let instructor = accounts
        .create("sensei@example.com", sensei_core::Role::Instructor, "-")
        .await
        .unwrap();
    let writer = database.platform_writer();
    let (challenge, _) = writer
        .create_challenge("Hooks", "Deliver them", &["a", "b"])
        .await
        .unwrap();
    let submission = writer
        .create_submission(
            student,
            challenge,
            chrono::Utc::now() - chrono::Duration::days(2),
        )
        .await
        .unwrap();
    writer
        .add_review(
            submission,
            "needs_work",
            chrono::Utc::now() - chrono::Duration::days(1),
        )
        .await
        .unwrap();
    let service = SenseiService::new(database.ports(), Policy::default());
    let _: UserId = student;
    service
        .book(Actor::student(student), submission)
        .await
        .unwrap();
    (database, service, Actor::instructor(instructor), submission)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_database_deliver_each_event_once() {
    let Some(scratch) =
        tokio::task::spawn_blocking(|| PostgresDatabase::create("the two-process webhook test"))
            .await
            .unwrap()
    else {
        return;
    };
    let (database, service, sensei, _) = database_with_a_booking(&scratch.url).await;
    let receiver = Receiver::start(&[], Duration::from_millis(20)).await;
    add_endpoint(&database, &receiver.url()).await;
    let first = ServeProcess::start(&scratch.url);
    let second = ServeProcess::start(&scratch.url);

    // 1 claim + 40 renewals, written while both processes poll.
    let session = sensei_core::ScheduledSessionId(1);
    service.claim(sensei, session).await.unwrap();
    for _ in 0..40 {
        service.renew_claim(sensei, session).await.unwrap();
    }
    let received = receiver.wait_for(41, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for received in receiver.received() {
        *per_event.entry(received.event_header).or_default() += 1;
    }
    assert_eq!(per_event.len(), 41, "{} requests", received.len());
    assert!(
        per_event.values().all(|count| *count == 1),
        "an event was delivered twice: {per_event:?}"
    );
    let stats = webhooks(&database).outbox_stats().await.unwrap();
    assert_eq!(stats.undelivered, 0);
    drop((first, second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_before_delivering_delivers_after_its_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kill9.sqlite3").display());
    let (database, service, sensei, _) = database_with_a_booking(&url).await;
    // A port with nobody listening yet: the receiver is down.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    add_endpoint(&database, &format!("http://127.0.0.1:{port}/hook")).await;
    let server = ServeProcess::start(&url);
    service
        .claim(sensei, sensei_core::ScheduledSessionId(1))
        .await
        .unwrap();
    // The change is committed; the first attempt fails (connection refused) and is logged.
    let log = wait_for_log(&database, 1).await;
    assert!(log.iter().all(|entry| entry.outcome == "retry"));
    server.kill_9();

    let receiver = Receiver::start_at(&format!("127.0.0.1:{port}"), &[], Duration::ZERO).await;
    let _restarted = ServeProcess::start(&url);
    let received = receiver.wait_for(1, Duration::from_secs(30)).await;
    let json = received[0].json();
    assert_eq!(json["type"], "session.claimed");
    let deadline = Instant::now() + Duration::from_secs(10);
    while webhooks(&database)
        .outbox_stats()
        .await
        .unwrap()
        .undelivered
        > 0
    {
        assert!(Instant::now() < deadline, "the delivery was never recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
