//! Accounts without `--demo`, through the real binary: `sensei migrate`, `sensei user ...`,
//! then `sensei serve` on the same fresh database, signing in on the API and the login page.
//! Covers the accounts acceptance: a user added on the command line signs in on the page and
//! the API, a user imported from CSV signs in, a platform user with a Werkzeug hash signs in
//! with their password (the hash is left as it was), and a disabled user cannot (their
//! earlier sign-in stops working at once).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_in, http_client, API};

/// Werkzeug 3.1.9's `generate_password_hash("correct horse battery")` (its default,
/// `scrypt:32768:8:1`): what the platform's Flask code writes into `users.password_hash`.
const WERKZEUG_SCRYPT: &str = "scrypt:32768:8:1$N7TPJDT3x8uryypg$a8f3987074d6b31f99263d7fdc86eb70b6f6412e41c6f7ae664e48926a461e573e106f1a4b91fab01da743fc81535794cf7981b6aa507dbfcbdc1859c9c15fc2";
/// The same password with `method="pbkdf2:sha256:1000"`.
const WERKZEUG_PBKDF2: &str = "pbkdf2:sha256:1000$x3vG5Uo7yrVUeDeu$10aab2b844f8e012a48dce78034bdaf1f097a810269ec3a50657b19bef1951c7";

/// A fresh, migrated SQLite database (no demo data) in a temp dir.
struct Fresh {
    _dir: tempfile::TempDir,
    url: String,
}

impl Fresh {
    fn new() -> Fresh {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("fresh.sqlite3").display());
        let fresh = Fresh { _dir: dir, url };
        let migrated = fresh.sensei(&["migrate"], None);
        assert!(migrated.status.success(), "{}", text(&migrated.stderr));
        fresh
    }

    /// Runs `sensei COMMAND --database-url URL REST...`, writing `stdin` to it when given.
    fn sensei(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let (command, rest) = args.split_first().expect("a command");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
            .arg(command)
            .args(["--database-url", &self.url])
            .args(rest)
            .env_remove("DATABASE_URL")
            .env_remove("SENSEI_PASSWORD_FORMAT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sensei binary starts");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(stdin) = stdin {
            // A command that refuses its arguments exits before reading its input: the pipe
            // is then closed, which is not the test's failure.
            if let Err(error) = input.write_all(stdin.as_bytes()) {
                assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
            }
        }
        drop(input);
        child.wait_with_output().expect("sensei ends")
    }

    /// `sensei user add EMAIL --role ROLE --password-stdin`, which must succeed.
    fn add(&self, email: &str, role: &str, password: &str) {
        let added = self.sensei(
            &["user", "add", email, "--role", role, "--password-stdin"],
            Some(&format!("{password}\n")),
        );
        assert!(added.status.success(), "{}", text(&added.stderr));
    }

    /// Runs SQL on the file directly (the platform writing its own rows).
    fn execute_sql(&self, sql: &str) {
        use diesel::{Connection, RunQueryDsl};
        let path = self.url.trim_start_matches("sqlite://");
        let mut conn = diesel::sqlite::SqliteConnection::establish(path).expect("sqlite");
        diesel::sql_query(sql).execute(&mut conn).expect("sql");
    }

    fn password_hash_of(&self, email: &str) -> String {
        use diesel::{Connection, QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            password_hash: String,
        }
        let path = self.url.trim_start_matches("sqlite://");
        let mut conn = diesel::sqlite::SqliteConnection::establish(path).expect("sqlite");
        diesel::sql_query("SELECT password_hash FROM users WHERE email = ?")
            .bind::<diesel::sql_types::Text, _>(email)
            .get_result::<Row>(&mut conn)
            .expect("the user")
            .password_hash
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `sensei serve` (no demo) on a free loopback port, killed when dropped.
/// `sensei serve` (no demo) over a fresh database.
struct Served {
    /// Kept for its lifetime: the process is killed when this is dropped.
    _process: crate::served::Served,
    base: String,
}

impl Served {
    fn start(fresh: &Fresh) -> Served {
        let process = crate::served::Served::spawn(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &fresh.url,
        ]);
        let base = process.base.clone();
        Served {
            _process: process,
            base,
        }
    }

    /// Signs in on the API: the status, the error code (if any) and the cookie.
    async fn api_sign_in(
        &self,
        email: &str,
        password: &str,
    ) -> (StatusCode, Value, Option<String>) {
        let response = client()
            .post(format!("{}{API}/session", self.base))
            .header("Content-Type", "application/json")
            .body(json!({"email": email, "password": password}).to_string())
            .send()
            .await
            .expect("answered");
        let status = response.status();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("sensei_session="))
            .and_then(|value| value.split(';').next())
            .map(str::to_owned);
        let body = json_of(response).await;
        (status, body, cookie)
    }

    /// `GET /api/v1/session` with this cookie: who it signs in, if anyone.
    async fn who(&self, cookie: &str) -> (StatusCode, Value) {
        let response = client()
            .get(format!("{}{API}/session", self.base))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("answered");
        let status = response.status();
        (status, json_of(response).await)
    }

    /// Signs in on the login page like a browser: `GET /login` for the CSRF token and the
    /// session cookie, then the form; the form's status and where it sends the browser.
    async fn page_sign_in(&self, email: &str, password: &str) -> (StatusCode, String) {
        let browser = http_client()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let page = browser
            .get(format!("{}/login", self.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(page.status(), StatusCode::OK);
        let token = csrf_in(&page.text().await.expect("body")).expect("a CSRF token");
        let posted = browser
            .post(format!("{}/login", self.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .expect("answered");
        let location = posted
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (posted.status(), location)
    }
}

async fn json_of(response: reqwest::Response) -> Value {
    let body = response.text().await.unwrap_or_default();
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn client() -> reqwest::Client {
    http_client()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_added_on_the_command_line_signs_in_on_the_page_and_the_api() {
    let fresh = Fresh::new();
    fresh.add("Ann@Example.com", "instructor", "a long password");
    fresh.add("root@example.com", "admin", "another long one");

    let listed = fresh.sensei(&["user", "list"], None);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    assert!(listed.contains("ann@example.com"), "{listed}");
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("root@example.com") && line.contains(" admin ")),
        "{listed}"
    );

    let served = Served::start(&fresh);
    let (status, _, cookie) = served
        .api_sign_in("ann@example.com", "a long password")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, me) = served.who(&cookie.expect("a session cookie")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "instructor", "{me}");

    // The login page: 303 to the start page.
    let (status, location) = served
        .page_sign_in("ann@example.com", "a long password")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/");
    let (status, location) = served
        .page_sign_in("ann@example.com", "wrong password")
        .await;
    assert_ne!(status, StatusCode::SEE_OTHER, "{location}");

    // An admin signs in too, and is one.
    let (status, _, cookie) = served
        .api_sign_in("root@example.com", "another long one")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = served.who(&cookie.expect("a session cookie")).await;
    assert_eq!(me["role"], "admin", "{me}");

    // set-role and set-password apply to the next sign-in.
    let changed = fresh.sensei(&["user", "set-role", "ann@example.com", "student"], None);
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    let changed = fresh.sensei(
        &[
            "user",
            "set-password",
            "ann@example.com",
            "--password-stdin",
        ],
        Some("a newer password\n"),
    );
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    let (status, _, _) = served
        .api_sign_in("ann@example.com", "a long password")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, cookie) = served
        .api_sign_in("ann@example.com", "a newer password")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = served.who(&cookie.expect("a session cookie")).await;
    assert_eq!(me["role"], "student", "{me}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_never_come_from_a_flag_and_bad_input_is_refused_with_a_reason() {
    let fresh = Fresh::new();
    // Not a terminal, and no --password-stdin: no prompt can be shown.
    let refused = fresh.sensei(&["user", "add", "a@example.com", "--role", "student"], None);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--password-stdin"),
        "{}",
        text(&refused.stderr)
    );
    let refused = fresh.sensei(
        &[
            "user",
            "add",
            "a@example.com",
            "--role",
            "student",
            "--password",
            "x",
        ],
        None,
    );
    assert!(!refused.status.success(), "there is no password flag");
    let refused = fresh.sensei(
        &[
            "user",
            "add",
            "a@example.com",
            "--role",
            "teacher",
            "--password-stdin",
        ],
        Some("long enough\n"),
    );
    assert!(text(&refused.stderr).contains("use student, instructor or admin"));
    let refused = fresh.sensei(
        &[
            "user",
            "add",
            "a@example.com",
            "--role",
            "student",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("at least 8 characters"),
        "{}",
        text(&refused.stderr)
    );
    fresh.add("a@example.com", "student", "long enough");
    let again = fresh.sensei(
        &[
            "user",
            "add",
            "A@example.com",
            "--role",
            "student",
            "--password-stdin",
        ],
        Some("long enough\n"),
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("a@example.com already has an account"));
    let missing = fresh.sensei(&["user", "disable", "nobody@example.com"], None);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("there is no account for nobody@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cohort_imported_from_csv_signs_in_and_each_bad_row_is_reported_by_line() {
    let fresh = Fresh::new();
    fresh.add("taken@example.com", "student", "already here");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cohort.csv");
    std::fs::write(
        &file,
        "email,role,password\n\
         one@example.com,student,first password\n\
         two@example.com,student,short\n\
         three@example.com,Instructor,\"third, with a comma\"\n\
         ONE@example.com,student,duplicate row\n\
         taken@example.com,student,another password\n\
         four@example.com,teacher,fourth password\n",
    )
    .expect("csv written");
    let file = file.display().to_string();
    let imported = fresh.sensei(&["user", "import", &file], None);
    let (stdout, stderr) = (text(&imported.stdout), text(&imported.stderr));
    assert!(
        !imported.status.success(),
        "a row failed, so the exit status says so"
    );
    assert!(
        stderr.contains(&format!("{file}:3: the password is too short")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}:5: one@example.com is a duplicate of line 2"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}:6: taken@example.com already has an account"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{file}:7: unknown role \"teacher\"")),
        "{stderr}"
    );
    assert!(stdout.contains("imported 2 of 6 rows"), "{stdout}");
    assert!(!stderr.contains("first password") && !stdout.contains("first password"));

    let served = Served::start(&fresh);
    let (status, _, _) = served
        .api_sign_in("one@example.com", "first password")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, cookie) = served
        .api_sign_in("three@example.com", "third, with a comma")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = served.who(&cookie.expect("a session cookie")).await;
    assert_eq!(me["role"], "instructor", "{me}");
    let (status, _, _) = served.api_sign_in("two@example.com", "short").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_user_with_a_werkzeug_hash_signs_in_and_the_hash_stays_the_platforms() {
    let fresh = Fresh::new();
    fresh.execute_sql(&format!(
        "INSERT INTO users (email, role, password_hash, created_at) VALUES \
         ('flask@example.com', 'student', '{WERKZEUG_SCRYPT}', '2026-01-01 00:00:00.000000'), \
         ('old@example.com', 'instructor', '{WERKZEUG_PBKDF2}', '2026-01-01 00:00:00.000000'), \
         ('odd@example.com', 'student', 'md5$x$y', '2026-01-01 00:00:00.000000')"
    ));
    let served = Served::start(&fresh);
    let (status, _, _) = served
        .api_sign_in("flask@example.com", "correct horse battery")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, location) = served
        .page_sign_in("old@example.com", "correct horse battery")
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let (status, body, _) = served.api_sign_in("flask@example.com", "wrong horse").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "invalid_credentials", "{body}");
    // A format nobody can check fails like a wrong password.
    let (status, body, _) = served.api_sign_in("odd@example.com", "y").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "invalid_credentials", "{body}");
    assert_eq!(fresh.password_hash_of("flask@example.com"), WERKZEUG_SCRYPT);
    assert_eq!(fresh.password_hash_of("old@example.com"), WERKZEUG_PBKDF2);

    // Written for the platform: `--password-format werkzeug-scrypt` stores Werkzeug's format.
    let set = fresh.sensei(
        &[
            "user",
            "set-password",
            "flask@example.com",
            "--password-stdin",
            "--password-format",
            "werkzeug-scrypt",
        ],
        Some("a brand new one\n"),
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(fresh
        .password_hash_of("flask@example.com")
        .starts_with("scrypt:32768:8:1$"));
    let (status, _, _) = served
        .api_sign_in("flask@example.com", "a brand new one")
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_cannot_sign_in_and_their_earlier_sign_in_ends() {
    let fresh = Fresh::new();
    fresh.add("dee@example.com", "instructor", "dee's password");
    let served = Served::start(&fresh);
    let (status, _, cookie) = served
        .api_sign_in("dee@example.com", "dee's password")
        .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie.expect("a session cookie");
    assert_eq!(served.who(&cookie).await.0, StatusCode::OK);

    let disabled = fresh.sensei(&["user", "disable", "dee@example.com"], None);
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    assert_eq!(served.who(&cookie).await.0, StatusCode::UNAUTHORIZED);
    let (status, body, _) = served
        .api_sign_in("dee@example.com", "dee's password")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["code"], "invalid_credentials",
        "no account discovery: {body}"
    );
    let (status, _) = served
        .page_sign_in("dee@example.com", "dee's password")
        .await;
    assert_ne!(status, StatusCode::SEE_OTHER);
    let listed = text(&fresh.sensei(&["user", "list"], None).stdout);
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with("dee@example.com") && !line.contains(" no ")),
        "{listed}"
    );

    let enabled = fresh.sensei(&["user", "enable", "dee@example.com"], None);
    assert!(enabled.status.success(), "{}", text(&enabled.stderr));
    assert_eq!(
        served.who(&cookie).await.0,
        StatusCode::UNAUTHORIZED,
        "the ended sign-in stays ended"
    );
    let (status, _, _) = served
        .api_sign_in("dee@example.com", "dee's password")
        .await;
    assert_eq!(status, StatusCode::OK);
}
