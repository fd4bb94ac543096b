//! The live stream `GET /api/v1/events` over a real socket (the served application over the
//! demo SQLite file): SSE framing, sign-in, per-viewer filtering and privacy, the caps, and
//! resuming with `Last-Event-ID` after the stream was killed.

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use sensei_core::{ChallengeId, SubmissionId};
use sensei_http::demo::{ALICE, BOB, INSTRUCTOR};
use sensei_http::Application;
use serde_json::Value;

use crate::helpers::{http_client, TestApp, API};

/// How long a test waits for an event that must come.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// An open SSE response, read frame by frame (a frame ends with a blank line).
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

/// One SSE frame's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// `id:`.
    pub id: Option<String>,
    /// `event:`.
    pub event: Option<String>,
    /// `data:` (joined).
    pub data: Option<String>,
    /// The frame was only a comment (`:` lines: the heartbeat).
    pub comment: bool,
}

impl Frame {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().unwrap_or("null")).unwrap()
    }
}

impl SseReader {
    /// Wraps a 200 `text/event-stream` response.
    pub fn new(response: reqwest::Response) -> SseReader {
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next frame within `wait`, comments included; `None` on timeout or end.
    pub async fn next_raw(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let text: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&text));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event (comments skipped) within `wait`.
    pub async fn next_event(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.next_raw(left).await?;
            if !frame.comment {
                return Some(frame);
            }
        }
    }
}

/// A response's body as JSON.
pub async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

fn parse(text: &str) -> Frame {
    let mut frame = Frame {
        id: None,
        event: None,
        data: None,
        comment: false,
    };
    let mut fields = 0;
    for line in text.lines().filter(|line| !line.is_empty()) {
        if line.starts_with(':') {
            continue;
        }
        fields += 1;
        let (name, value) = line.split_once(": ").unwrap_or((line, ""));
        match name {
            "id" => frame.id = Some(value.to_owned()),
            "event" => frame.event = Some(value.to_owned()),
            "data" => frame.data = Some(value.to_owned()),
            other => panic!("unexpected SSE field {other:?} in {text:?}"),
        }
    }
    frame.comment = fields == 0;
    frame
}

/// The application served on a loopback port over a demo SQLite file.
pub struct Served {
    /// The in-process app (its database, sign-ins for cookies).
    pub app: TestApp,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: reqwest::Client,
}

impl Served {
    /// Serves the demo with the test configuration.
    pub async fn start() -> Served {
        let app = TestApp::spawn().await;
        let server = Application::build(app.config.clone(), app.database.clone())
            .await
            .unwrap();
        let base = format!("http://{}", server.address());
        tokio::spawn(server.run_until(std::future::pending()));
        Served {
            app,
            base,
            client: http_client().build().unwrap(),
        }
    }

    /// Opens `GET /api/v1/events{query}` with `cookie` and optional `Last-Event-ID`.
    pub async fn open(
        &self,
        cookie: &str,
        query: &str,
        last_event_id: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{API}/events{query}", self.base))
            .header("Cookie", cookie);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        request.send().await.unwrap()
    }

    /// Books `email`'s demo submission through the API; returns the new session's id.
    pub async fn book(&self, email: &str) -> i64 {
        let submission = self.app.submission_of(email).await;
        self.book_submission(email, submission).await
    }

    /// Books `submission` as `email` through the API; returns the new session's id.
    pub async fn book_submission(&self, email: &str, submission: SubmissionId) -> i64 {
        let cookie = self.app.sign_in_through_api(email).await;
        let response = self
            .client
            .post(format!(
                "{}{API}/submissions/{submission}/scheduled-sessions",
                self.base
            ))
            .header("Cookie", cookie)
            .header("X-Requested-With", "live-test")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = json_of(response).await;
        body["session"]["id"].as_i64().unwrap()
    }
}

/// `count` new submissions of alice in a new challenge, each eligible (a `needs_work`
/// review): more bookings than the demo's one per student.
pub async fn alices_extra_submissions(
    served: &Served,
    count: usize,
) -> (ChallengeId, Vec<SubmissionId>) {
    let alice = served.app.user_id(ALICE).await;
    let writer = served.app.database.platform_writer();
    let (challenge, _goals) = writer
        .create_challenge("Live stream", "Book while watched", &["a"])
        .await
        .unwrap();
    let mut submissions = Vec::new();
    for _ in 0..count {
        let submission = writer
            .create_submission(alice, challenge, Utc::now() - chrono::Duration::days(2))
            .await
            .unwrap();
        writer
            .add_review(
                submission,
                "needs_work",
                Utc::now() - chrono::Duration::days(1),
            )
            .await
            .unwrap();
        submissions.push(submission);
    }
    (challenge, submissions)
}

#[tokio::test]
async fn an_instructor_gets_each_booking_as_a_session_event_with_its_audit_id() {
    let served = Served::start().await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut stream = SseReader::new(served.open(&cookie, "", None).await);
    let session = served.book(ALICE).await;
    let frame = stream.next_event(PATIENCE).await.expect("the booking");
    assert_eq!(frame.event.as_deref(), Some("session"));
    let data = frame.json();
    assert_eq!(frame.id, Some(data["id"].to_string()));
    assert_eq!(data["type"], "booked");
    assert_eq!(data["session_id"], session);
    assert_eq!(data["to_state"], "pending");
    assert!(data["challenge_id"].as_i64().is_some(), "{data}");
    let at = data["occurred_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{data}");
}

#[tokio::test]
async fn a_killed_stream_resumed_with_last_event_id_gets_both_missed_bookings_once() {
    let served = Served::start().await;
    let (_, extra) = alices_extra_submissions(&served, 2).await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut stream = SseReader::new(served.open(&cookie, "", None).await);
    served.book(BOB).await;
    let first = stream
        .next_event(PATIENCE)
        .await
        .expect("the first booking");
    let last_id = first.id.clone().unwrap();
    drop(stream); // killed mid-way

    let one = served.book_submission(ALICE, extra[0]).await;
    let two = served.book_submission(ALICE, extra[1]).await;

    let mut resumed = SseReader::new(served.open(&cookie, "", Some(&last_id)).await);
    let mut sessions = Vec::new();
    while let Some(frame) = resumed.next_event(Duration::from_millis(1500)).await {
        sessions.push(frame.json()["session_id"].as_i64().unwrap());
    }
    assert_eq!(sessions, [one, two], "both, once each, in order");
}

#[tokio::test]
async fn the_last_event_id_query_parameter_resumes_too() {
    let served = Served::start().await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut stream = SseReader::new(served.open(&cookie, "", None).await);
    served.book(ALICE).await;
    let first = stream.next_event(PATIENCE).await.unwrap();
    drop(stream);
    let bob = served.book(BOB).await;
    let query = format!("?last_event_id={}", first.id.unwrap());
    let mut resumed = SseReader::new(served.open(&cookie, &query, None).await);
    let frame = resumed.next_event(PATIENCE).await.unwrap();
    assert_eq!(frame.json()["session_id"], bob);
}

#[tokio::test]
async fn a_student_sees_their_own_booking_whole_and_others_as_bare_queue_ticks() {
    let served = Served::start().await;
    let cookie = served.app.sign_in_through_api(ALICE).await;
    let mut stream = SseReader::new(served.open(&cookie, "", None).await);
    let bob = served.book(BOB).await;
    let tick = stream.next_event(PATIENCE).await.unwrap();
    assert_eq!(tick.event.as_deref(), Some("queue"));
    let data = tick.json();
    assert_eq!(
        data.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "type"],
        "no session id, no student: {data}"
    );
    assert_eq!(data["type"], "booked");
    let _ = bob;

    let mine = served.book(ALICE).await;
    let own = stream.next_event(PATIENCE).await.unwrap();
    assert_eq!(own.event.as_deref(), Some("session"));
    assert_eq!(own.json()["session_id"], mine);
    assert!(own.json().get("challenge_id").is_none());
}

#[tokio::test]
async fn an_instructor_filtering_on_a_challenge_sees_only_its_events() {
    let served = Served::start().await;
    let (challenge, extra) = alices_extra_submissions(&served, 1).await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let query = format!("?challenge={}", challenge.get());
    let mut filtered = SseReader::new(served.open(&cookie, &query, None).await);
    let mut all = SseReader::new(served.open(&cookie, "?all=1", None).await);
    let bob = served.book(BOB).await;
    let alice = served.book_submission(ALICE, extra[0]).await;
    let frame = filtered.next_event(PATIENCE).await.unwrap();
    assert_eq!(
        frame.json()["session_id"],
        alice,
        "bob's challenge is not shown"
    );
    assert_eq!(frame.json()["challenge_id"], challenge.get());
    assert_eq!(
        all.next_event(PATIENCE).await.unwrap().json()["session_id"],
        bob
    );
    assert_eq!(
        all.next_event(PATIENCE).await.unwrap().json()["session_id"],
        alice
    );
}

#[tokio::test]
async fn nobody_signed_in_gets_401_and_a_bad_all_gets_400() {
    let served = Served::start().await;
    let response = served.open("", "", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let response = served.open(&cookie, "?all=yes", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = json_of(response).await;
    assert!(
        body["message"].as_str().unwrap().contains("`all`"),
        "{body}"
    );
    // Hostile resume ids and filters are refused with 400, never a 5xx.
    for query in [
        "?last_event_id=abc",
        "?last_event_id=99999999999999999999",
        "?challenge=x",
    ] {
        let response = served.open(&cookie, query, None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    let response = served.open(&cookie, "", Some("not-an-id")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_ninth_stream_of_an_account_is_refused_429_and_other_accounts_are_not() {
    let served = Served::start().await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(SseReader::new(served.open(&cookie, "", None).await));
    }
    let refused = served.open(&cookie, "", None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body: Value = json_of(refused).await;
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(
        body["message"],
        "this account already has 8 open live streams, the most allowed; close one \
         (another tab or client) and try again"
    );
    // Another account is not affected.
    let other = served.app.sign_in_through_api(ALICE).await;
    SseReader::new(served.open(&other, "", None).await);
    drop(open);
}

#[tokio::test]
async fn the_stream_is_in_the_openapi_document_as_an_event_stream() {
    let served = Served::start().await;
    let document = json_of(
        served
            .client
            .get(format!("{}{API}/openapi.json", served.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let operation = &document["paths"]["/events"]["get"];
    assert_eq!(operation["operationId"], "streamLiveEvents");
    assert!(operation["responses"]["200"]["content"]["text/event-stream"].is_object());
    assert!(operation["responses"]["429"].is_object());
    let names: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in ["challenge", "all", "last_event_id", "Last-Event-ID"] {
        assert!(names.contains(&name), "{names:?}");
    }
}

#[tokio::test]
async fn an_idle_stream_gets_a_heartbeat_comment_every_15_s() {
    let served = Served::start().await;
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut stream = SseReader::new(served.open(&cookie, "", None).await);
    let started = tokio::time::Instant::now();
    let frame = stream
        .next_raw(Duration::from_secs(17))
        .await
        .expect("a heartbeat within 15 s");
    assert!(frame.comment, "{frame:?}");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(14), "{waited:?}");
}
