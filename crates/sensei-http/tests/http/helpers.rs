//! Shared helpers of the HTTP tests: the real router over a fresh migrated SQLite file with
//! the demo data per test, driven by poem's `TestClient`; a cookie-keeping `Browser` for the
//! pages; `Call` and `Reply` for the JSON API and its one error shape; and a throw-away
//! PostgreSQL database for the tests that need one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use poem::endpoint::BoxEndpoint;
use poem::http::{header, HeaderMap, Method, StatusCode};
use poem::test::TestClient;
use poem::Response;
use sensei_core::ports::AccountRepository;
use sensei_core::{SubmissionId, UserId};
use sensei_diesel::testing::{postgres_admin_url, skipped, PostgresTestDatabase};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::{build_router, demo, AppConfig, AppState};
use serde_json::Value;
use tempfile::TempDir;

/// The JSON API's prefix.
pub const API: &str = "/api/v1";

/// A `reqwest` client builder, after installing the TLS provider every client of this process
/// needs (the service builds reqwest without a default one).
pub fn http_client() -> reqwest::ClientBuilder {
    sensei_http::webhooks::deliver::install_tls_provider();
    reqwest::Client::builder()
}

/// A running app (the real router) over its own database.
pub struct TestApp {
    /// The router.
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    /// The database behind it.
    pub database: Database,
    /// The state the router was built from.
    pub state: AppState,
    /// The configuration (its cookie key signs every session cookie).
    pub config: AppConfig,
    /// The SQLite file and its temp dir, when the app made its own.
    sqlite: Option<(PathBuf, TempDir)>,
}

/// Connects to a fresh SQLite file at `path`, migrated, with the demo data.
pub async fn demo_database(path: &Path) -> Database {
    let url = DatabaseUrl::Sqlite(path.to_owned());
    let database = Database::connect(&url, PoolOptions::default()).expect("connect");
    database.migrate().await.expect("migrate");
    demo::load_accounts(&database).await.expect("demo data");
    database
}

impl TestApp {
    /// The real router over `scratch` (a PostgreSQL test database), migrated, with the demo
    /// accounts (no sessions yet); a small pool with a short timeout, so an outage shows quickly.
    pub async fn over_demo_postgres(scratch: &PostgresDatabase) -> TestApp {
        let database = Database::connect(
            &DatabaseUrl::Postgres(scratch.url.clone()),
            PoolOptions {
                max_connections: 4,
                connection_timeout: Duration::from_secs(2),
            },
        )
        .expect("connect");
        database.migrate().await.expect("migrate");
        demo::load_accounts(&database).await.expect("demo data");
        TestApp::over(database, AppConfig::for_tests().expect("config"))
    }

    /// The real router over a fresh demo SQLite file, with the test configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(AppConfig::for_tests().expect("config")).await
    }

    /// The real router over a fresh demo SQLite file, with `config`.
    pub async fn spawn_with(config: AppConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sensei-test.sqlite3");
        let database = demo_database(&path).await;
        let mut app = Self::over(database, config);
        app.sqlite = Some((path, dir));
        app
    }

    /// The real router over `database` (made elsewhere) with `config`.
    pub fn over(database: Database, config: AppConfig) -> TestApp {
        let state = AppState::new(database.clone(), &config).expect("state");
        TestApp {
            client: TestClient::new(build_router(state.clone())),
            database,
            state,
            config,
            sqlite: None,
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
        TestApp::over(database, self.config.clone())
    }

    /// The app's own SQLite file.
    pub fn sqlite_path(&self) -> &Path {
        &self
            .sqlite
            .as_ref()
            .expect("an app with its own SQLite file")
            .0
    }

    /// Runs SQL on the app's SQLite file over a connection of its own, as another program
    /// (the platform, an administrator) would.
    pub fn execute_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        let (path, _) = self
            .sqlite
            .as_ref()
            .expect("an app with its own SQLite file");
        let mut conn = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
        conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000")
            .unwrap();
        conn.batch_execute(sql).unwrap();
    }

    /// A browser with an empty cookie jar.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// A browser signed in through the login form as `email` (password `sensei-demo`).
    pub async fn signed_in(&self, email: &str) -> Browser<'_> {
        let browser = self.browser();
        browser.sign_in(email).await;
        browser
    }

    /// Signs in through the JSON API and returns the session cookie (`name=value`).
    pub async fn sign_in_through_api(&self, email: &str) -> String {
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

    /// Sends an API request.
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

    /// Books a session for `submission` through the API with the session `cookie`.
    pub async fn book(&self, cookie: &str, submission: SubmissionId) -> Reply {
        self.send(
            Call::post(format!("{API}/submissions/{submission}/scheduled-sessions")).cookie(cookie),
        )
        .await
    }

    /// How many sessions the database holds, pending and completed.
    pub async fn session_count(&self) -> u64 {
        let all = sensei_core::SessionQuery {
            status: sensei_core::StatusFilter::All,
            ..Default::default()
        };
        self.database.ports().sessions.count(&all).await.unwrap()
    }

    /// The id of a demo account.
    pub async fn user_id(&self, email: &str) -> UserId {
        self.database
            .accounts()
            .find_by_email(email)
            .await
            .expect("lookup")
            .expect("a demo account")
            .account
            .id
    }

    /// The (only) demo submission of a student.
    pub async fn submission_of(&self, email: &str) -> SubmissionId {
        let list = self
            .database
            .ports()
            .submissions
            .list_by_owner(self.user_id(email).await, 10)
            .await
            .unwrap();
        list.first().expect("a demo submission").id
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub content_type: Option<String>,
    pub body: String,
}

impl Page {
    /// The first `csrf_token` hidden input's value.
    pub fn csrf(&self) -> String {
        csrf_in(&self.body).unwrap_or_else(|| panic!("no CSRF token in page: {}", self.body))
    }

    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body: {}", self.body);
        assert_eq!(self.location.as_deref(), Some(to));
    }

    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "page should contain {needle:?}; status {}; body: {}",
            self.status,
            self.body
        );
        self
    }

    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "page should not contain {needle:?}; body: {}",
            self.body
        );
        self
    }
}

/// The first `csrf_token` hidden input's value in an HTML page.
pub fn csrf_in(body: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// A client that keeps cookies between requests, like a browser.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&self, response: poem::test::TestResponse) -> Page {
        let response = response.0;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().into_string().await.unwrap();
        let set_cookies: Vec<String> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect();
        {
            let mut jar = self.cookies.lock().unwrap();
            for cookie in &set_cookies {
                let pair = cookie.split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                let removed = value.is_empty() || cookie.to_ascii_lowercase().contains("max-age=0");
                if removed {
                    jar.remove(name.trim());
                } else {
                    jar.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
        Page {
            status,
            location: headers
                .get(header::LOCATION)
                .map(|value| value.to_str().unwrap().to_owned()),
            content_type: headers
                .get(header::CONTENT_TYPE)
                .map(|value| value.to_str().unwrap().to_owned()),
            set_cookies,
            body,
        }
    }

    /// GET with the jar's cookies.
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .app
            .client
            .get(path)
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await;
        self.read(response).await
    }

    /// POST a urlencoded form with the jar's cookies.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .app
            .client
            .post(path)
            .header(header::COOKIE, self.cookie_header())
            .form(&fields)
            .send()
            .await;
        self.read(response).await
    }

    /// POST raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        let response = self
            .app
            .client
            .post(path)
            .header(header::COOKIE, self.cookie_header())
            .content_type(content_type)
            .body(body)
            .send()
            .await;
        self.read(response).await
    }

    /// The CSRF token of this browser's session (from the page at `path`).
    pub async fn csrf_from(&self, path: &str) -> String {
        self.get(path).await.csrf()
    }

    /// Signs in through the login form.
    pub async fn sign_in(&self, email: &str) {
        let token = self.csrf_from("/login").await;
        let page = self
            .post(
                "/login",
                &[
                    ("csrf_token", &token),
                    ("email", email),
                    ("password", "sensei-demo"),
                ],
            )
            .await;
        page.assert_redirect("/");
    }
}

/// An API response, its body parsed as JSON (`Value::Null` when empty or not JSON).
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

/// An API request to send.
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

/// A fresh, empty PostgreSQL database for one test, from the one shared way of making them
/// (`sensei_diesel::testing`), dropped (with `FORCE`) when this is dropped; plus statements
/// on the server's admin database for tests that take the database down. Blocking: create
/// and drop it off the async runtime (`spawn_blocking`).
pub struct PostgresDatabase {
    /// The database's name.
    pub name: String,
    /// Its URL.
    pub url: String,
    admin_url: String,
    _database: PostgresTestDatabase,
}

impl PostgresDatabase {
    /// Creates a database on the server named by `SENSEI_TEST_POSTGRES_URL`. Without that
    /// variable, says loudly that `test` is SKIPPED and returns `None`.
    pub fn create(test: &str) -> Option<PostgresDatabase> {
        let Some(admin_url) = postgres_admin_url() else {
            skipped(&format!("{test} (above) needs PostgreSQL"));
            return None;
        };
        let database = PostgresTestDatabase::create_unmigrated()
            .expect("a PostgreSQL test database")
            .expect("the server is configured");
        Some(PostgresDatabase {
            name: database.name().to_owned(),
            url: database.url().to_owned(),
            admin_url,
            _database: database,
        })
    }

    /// Runs one statement on the server's admin database (the one the variable names).
    pub fn admin(&self, sql: &str) {
        let mut conn = PgConnection::establish(&self.admin_url)
            .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL: {error}"));
        diesel::sql_query(sql).execute(&mut conn).expect(sql);
    }
}

/// The real `sensei` binary serving a demo SQLite file on a free loopback port, with its
/// stderr (the logs) collected until it stops.
pub struct SenseiProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    logs: std::sync::mpsc::Receiver<String>,
}

impl SenseiProcess {
    /// Starts `sensei [global_args] serve --demo --bind 127.0.0.1:0 --database-url <db>` and
    /// waits for the banner with the address.
    pub fn start_demo(db: &Path, global_args: &[&str]) -> SenseiProcess {
        use std::io::{BufRead, BufReader, Read};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
            .args(global_args)
            .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--database-url"])
            .arg(db)
            .env_remove("DATABASE_URL")
            .env_remove("SENSEI_COOKIE_KEY")
            .env_remove("SENSEI_TRUSTED_HEADER")
            .env_remove("SENSEI_METRICS_BIND")
            .env_remove("SENSEI_LOG_FORMAT")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sensei binary starts");
        let stdout = child.stdout.take().unwrap();
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap_or_default();
                if let Some(rest) = line.split("Sensei demo is running at ").nth(1) {
                    let _ = url_tx.send(rest.trim().trim_end_matches('/').to_owned());
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let (log_tx, logs) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = log_tx.send(text);
        });
        let base = url_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the demo banner with the URL");
        SenseiProcess { child, base, logs }
    }

    /// Sends SIGTERM, checks the clean exit and returns everything written to stderr.
    pub fn stop(mut self) -> String {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                break exit;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("sensei did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(exit.success(), "sensei exited with {exit:?}");
        self.logs
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default()
    }
}

/// The (only) demo submission of a student, read from a demo database file.
pub async fn demo_submission(db: &Path, email: &str) -> SubmissionId {
    let database = Database::connect(&DatabaseUrl::Sqlite(db.to_owned()), PoolOptions::default())
        .expect("connect");
    let user = database
        .accounts()
        .find_by_email(email)
        .await
        .expect("lookup")
        .expect("a demo account")
        .account
        .id;
    let list = database
        .ports()
        .submissions
        .list_by_owner(user, 10)
        .await
        .unwrap();
    list.first().expect("a demo submission").id
}
