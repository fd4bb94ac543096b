//! Shared helpers of the HTTP tests: a fresh migrated SQLite file with the demo data per
//! test, the real router driven by poem's `TestClient`, and a tiny cookie-keeping browser.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use poem::endpoint::BoxEndpoint;
use poem::http::{header, StatusCode};
use poem::test::TestClient;
use poem::Response;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::{build_router, demo, AppConfig, AppState};
use tempfile::TempDir;

/// A running app over its own database.
pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub database: Database,
    pub state: AppState,
    /// The SQLite file, when the app made its own.
    pub db_path: Option<std::path::PathBuf>,
    _dir: Option<TempDir>,
}

impl TestApp {
    /// A migrated SQLite file in a temp dir with the demo data loaded.
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sensei-test.sqlite3");
        let url = DatabaseUrl::Sqlite(path.clone());
        let database = Database::connect(&url, PoolOptions::default()).unwrap();
        database.migrate().await.unwrap();
        demo::load(&database).await.unwrap();
        let state = AppState::new(database.clone(), &AppConfig::for_tests().unwrap()).unwrap();
        TestApp {
            client: TestClient::new(build_router(state.clone())),
            database,
            state,
            db_path: Some(path),
            _dir: Some(dir),
        }
    }

    /// An app over a client and state built elsewhere (another database).
    pub fn over(client: TestClient<BoxEndpoint<'static, Response>>, state: AppState) -> TestApp {
        TestApp {
            client,
            database: state.database.clone(),
            state,
            db_path: None,
            _dir: None,
        }
    }

    /// Runs SQL on the app's SQLite file over a connection of its own, as another program
    /// (the platform, an administrator) would.
    pub fn execute_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let path = self
            .db_path
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

    /// A browser signed in as `email` (password `sensei-demo`).
    pub async fn signed_in(&self, email: &str) -> Browser<'_> {
        let browser = self.browser();
        browser.sign_in(email).await;
        browser
    }

    /// How many sessions the database holds, pending and completed.
    pub async fn session_count(&self) -> u64 {
        let pending = sensei_core::SessionQuery {
            status: sensei_core::StatusFilter::All,
            ..Default::default()
        };
        self.database
            .ports()
            .sessions
            .count(&pending)
            .await
            .unwrap()
    }

    /// The id of the only submission of a demo student.
    pub async fn submission_of(&self, email: &str) -> i32 {
        let account = self
            .database
            .accounts()
            .find_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let list = self
            .database
            .ports()
            .submissions
            .list_by_owner(account.id, 10)
            .await
            .unwrap();
        list.first().unwrap().id.get()
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
