//! Shared set-up of the API tests: the real router over a temporary SQLite database holding
//! the demo data, driven through poem's `TestClient`, and helpers that send JSON and check
//! the one error shape.
#![allow(dead_code)]

use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::http::{header, HeaderMap, Method, StatusCode};
use poem::test::TestClient;
use poem::Response;
use sensei_core::{Actor, SubmissionId, UserId};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::{build_router, demo, AppConfig, AppState};
use serde_json::Value;
use tempfile::TempDir;

/// The API's prefix.
pub const API: &str = "/api/v1";

/// A running app over its own database.
pub struct TestApp {
    /// The router.
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    /// The database behind it.
    pub database: Database,
    /// The configuration (its cookie key signs every session cookie).
    pub config: AppConfig,
    _dir: TempDir,
}

/// A response, its body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub json: Value,
    /// The raw body.
    pub text: String,
}

impl Reply {
    /// Checks the status and the JSON content type.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        if status != StatusCode::NO_CONTENT {
            assert_eq!(
                self.header(header::CONTENT_TYPE.as_str()),
                Some("application/json; charset=utf-8"),
                "{}",
                self.text
            );
        }
        &self.json
    }

    /// Checks an error response: its status, the JSON shape and the code.
    #[track_caller]
    pub fn expect_error(&self, status: StatusCode, code: &str) -> &Value {
        let json = self.expect(status);
        assert_eq!(json["code"], code, "{}", self.text);
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty()),
            "errors carry a message: {}",
            self.text
        );
        json
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `name=value` part of the session cookie this response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("sensei_session="))
            .and_then(|value| value.split(';').next())
            .map(str::to_owned)
    }
}

/// A request to send.
pub struct Call {
    method: Method,
    path: String,
    cookie: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<(String, String)>,
}

impl Call {
    /// A request without a body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            cookie: None,
            headers: Vec::new(),
            body: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A bodyless `POST path` with `X-Requested-With`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path).header("X-Requested-With", "test")
    }

    /// `POST path` with a JSON body.
    pub fn post_json(path: impl Into<String>, body: &Value) -> Self {
        Self::new(Method::POST, path).body("application/json", body.to_string())
    }

    /// Sends the session cookie.
    pub fn cookie(mut self, cookie: &str) -> Self {
        self.cookie = Some(cookie.to_owned());
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body and its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<String>) -> Self {
        self.body = Some((content_type.to_owned(), body.into()));
        self
    }
}

/// Connects to a fresh SQLite file in `dir`, migrated, with the demo data.
pub async fn demo_database(dir: &TempDir) -> Database {
    let url = DatabaseUrl::Sqlite(dir.path().join("api.sqlite3"));
    let database = Database::connect(&url, PoolOptions::default()).expect("connect");
    database.migrate().await.expect("migrate");
    demo::load(&database).await.expect("demo data");
    database
}

impl TestApp {
    /// The real router over a fresh demo database.
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = demo_database(&dir).await;
        let config = AppConfig::for_tests().expect("config");
        Self::with(database, config, dir)
    }

    /// The real router over `database` with `config`.
    pub fn with(database: Database, config: AppConfig, dir: TempDir) -> TestApp {
        let state = AppState::new(database.clone(), &config).expect("state");
        TestApp {
            client: TestClient::new(build_router(state)),
            database,
            config,
            _dir: dir,
        }
    }

    /// The same configuration over a database that refuses every connection (an outage).
    pub fn with_database_down(&self) -> TestApp {
        let url = DatabaseUrl::Postgres("postgres://sensei@127.0.0.1:1/outage".to_owned());
        let options = PoolOptions {
            max_connections: 1,
            connection_timeout: Duration::from_millis(500),
        };
        let database = Database::connect(&url, options).expect("lazy pool");
        let dir = tempfile::tempdir().expect("temp dir");
        TestApp::with(database, self.config.clone(), dir)
    }

    /// Sends a request.
    pub async fn send(&self, call: Call) -> Reply {
        let mut builder = self.client.request(call.method, call.path);
        if let Some(cookie) = call.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        for (name, value) in call.headers {
            builder = builder.header(name, value);
        }
        if let Some((content_type, body)) = call.body {
            builder = builder.content_type(content_type).body(body);
        }
        let response = builder.send().await.0;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .into_body()
            .into_string()
            .await
            .expect("a text body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
            text,
        }
    }

    /// Signs in through the API and returns the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let reply = self
            .send(Call::post_json(
                format!("{API}/session"),
                &serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD}),
            ))
            .await;
        reply.expect(StatusCode::OK);
        reply
            .session_cookie()
            .expect("sign-in sets the session cookie")
    }

    /// The id of a demo account.
    pub async fn user_id(&self, email: &str) -> UserId {
        self.database
            .accounts()
            .find_by_email(email)
            .await
            .expect("lookup")
            .expect("a demo account")
            .id
    }

    /// The (only) demo submission of a student.
    pub async fn submission_of(&self, email: &str) -> SubmissionId {
        let state = AppState::new(self.database.clone(), &self.config).expect("state");
        let student = Actor::student(self.user_id(email).await);
        state
            .service
            .student_submissions(student)
            .await
            .expect("submissions")
            .first()
            .expect("a demo submission")
            .id
    }

    /// Books a session for `email`'s demo submission; returns the reply.
    pub async fn book(&self, cookie: &str, submission: SubmissionId) -> Reply {
        self.send(
            Call::post(format!("{API}/submissions/{submission}/scheduled-sessions")).cookie(cookie),
        )
        .await
    }
}
