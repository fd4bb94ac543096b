//! Where it is really used, through the real binary on loopback: a lab of sixty signing in
//! from one school address, guesses that still meet 429, a reverse proxy's forwarded
//! addresses, processes started together on one database, the same claim or renewal sent many
//! times at once, and a flood of wrong passwords. Each case was a failure before (see the
//! real-use issue in CHANGELOG.md); every loop here is bounded in count and time.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use sensei_http::demo;
use serde_json::{json, Value};

use crate::helpers::{http_client, PostgresDatabase, API};
pub use crate::served::Served;

/// The nine demo accounts.
const DEMO_ACCOUNTS: [&str; 9] = [
    demo::INSTRUCTOR,
    demo::ALICE,
    demo::BOB,
    demo::CAROL,
    demo::ANN,
    demo::DAVE,
    demo::ERIN,
    demo::FRANK,
    demo::GRACE,
];

fn client() -> reqwest::Client {
    http_client()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(128)
        .build()
        .expect("client")
}

/// Signs in through the API; the status and the session cookie (`name=value`) when one was
/// set.
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<String>) {
    let mut request = client
        .post(format!("{base}{API}/session"))
        .header("Content-Type", "application/json")
        .body(json!({"email": email, "password": password}).to_string());
    if let Some(forwarded) = forwarded_for {
        request = request.header("X-Forwarded-For", forwarded);
    }
    let response = request.send().await.expect("the sign-in is answered");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("sensei_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    (response.status(), cookie)
}

fn tally(statuses: &[StatusCode]) -> HashMap<u16, usize> {
    let mut counts = HashMap::new();
    for status in statuses {
        *counts.entry(status.as_u16()).or_default() += 1;
    }
    counts
}

fn temp_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("real-use.sqlite3");
    let url = format!("sqlite://{}", path.display());
    (dir, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lab_of_sixty_signs_in_from_one_address_and_guesses_still_meet_429() {
    let (_dir, url) = temp_sqlite();
    let served = Served::start(&url, &[]);
    let client = client();
    // Sixty correct sign-ins at once, rotating over the nine demo accounts, from 127.0.0.1.
    let lab = (0..60).map(|n| {
        let (client, base) = (client.clone(), served.base.clone());
        tokio::spawn(async move {
            let email = DEMO_ACCOUNTS[n % DEMO_ACCOUNTS.len()];
            sign_in(&client, &base, email, demo::DEMO_PASSWORD, None).await
        })
    });
    let mut statuses = Vec::new();
    for task in lab.collect::<Vec<_>>() {
        let (status, cookie) = task.await.expect("task");
        assert!(
            status != StatusCode::OK || cookie.is_some(),
            "a cookie on 200"
        );
        statuses.push(status);
    }
    assert_eq!(
        tally(&statuses),
        HashMap::from([(200, 60)]),
        "the whole lab gets in"
    );
    // Then twelve more of the instructor, one after another.
    for _ in 0..12 {
        let (status, _) = sign_in(
            &client,
            &served.base,
            demo::INSTRUCTOR,
            demo::DEMO_PASSWORD,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    // Forty wrong guesses at one account meet 429 (after the account's twenty failures).
    let mut guesses = Vec::new();
    for n in 0..40 {
        let (status, _) = sign_in(
            &client,
            &served.base,
            demo::ALICE,
            &format!("guess-{n}"),
            None,
        )
        .await;
        guesses.push(status);
    }
    let counts = tally(&guesses);
    // Twenty failures, and one more earned back every three seconds the test runs.
    let failed = counts.get(&401).copied().unwrap_or(0);
    assert!((20..=23).contains(&failed), "{counts:?}");
    assert_eq!(
        failed + counts.get(&429).copied().unwrap_or(0),
        40,
        "{counts:?}"
    );
    // Alice is locked for a while, the rest of the class is not.
    let (status, _) = sign_in(&client, &served.base, demo::BOB, demo::DEMO_PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    let logs = served.logs();
    assert!(
        !logs.contains("status=429"),
        "refusals are counted, not logged one by one at info"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let (_dir, url) = temp_sqlite();
    let served = Served::start(
        &url,
        &[
            "--trusted-proxy",
            "127.0.0.1/32",
            "--sign-in-per-address-per-minute",
            "3",
            "--sign-in-per-account-per-minute",
            "100",
        ],
    );
    let client = client();
    let base = &served.base;
    let guess = |n: usize, forwarded: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            sign_in(
                &client,
                &base,
                &format!("nobody{n}@example.com"),
                "wrong",
                Some(forwarded),
            )
            .await
            .0
        }
    };
    // The proxy forwards two schools: each has its own three failures.
    for n in 0..3 {
        assert_eq!(guess(n, "198.51.100.1").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        guess(3, "198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A client that writes its own X-Forwarded-For entry is judged by the proxy's entry.
    assert_eq!(
        guess(4, "198.51.100.1, 203.0.113.77").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        guess(5, "203.0.113.77, 198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The correct password of a school that spent its failures is still refused until the
    // budget refills; another school signs in.
    let (status, _) = sign_in(
        &client,
        base,
        demo::BOB,
        demo::DEMO_PASSWORD,
        Some("198.51.100.1"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = sign_in(
        &client,
        base,
        demo::BOB,
        demo::DEMO_PASSWORD,
        Some("198.51.100.2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_the_forwarded_header_is_ignored() {
    let (_dir, url) = temp_sqlite();
    let served = Served::start(
        &url,
        &[
            "--sign-in-per-address-per-minute",
            "2",
            "--sign-in-per-account-per-minute",
            "100",
        ],
    );
    let client = client();
    let mut statuses = Vec::new();
    for n in 0..4 {
        // Each guess claims another address: the peer (127.0.0.1) is what counts.
        let forwarded = format!("198.51.100.{n}");
        let (status, _) = sign_in(
            &client,
            &served.base,
            &format!("nobody{n}@example.com"),
            "wrong",
            Some(&forwarded),
        )
        .await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 429, 429]);
}

/// `SELECT COUNT(*) AS n FROM users` and the same of `scheduled_sessions`, on any backend.
macro_rules! count_rows {
    ($conn:expr) => {{
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut count = |table: &str| -> i64 {
            let row: Count = diesel::RunQueryDsl::get_result(
                diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")),
                $conn,
            )
            .expect("count");
            row.n
        };
        (count("users"), count("scheduled_sessions"))
    }};
}

/// The demo's accounts and sessions in a SQLite file.
fn demo_counts_sqlite(url: &str) -> (i64, i64) {
    use diesel::Connection;
    let path = url.trim_start_matches("sqlite://");
    let mut conn = diesel::sqlite::SqliteConnection::establish(path).expect("open");
    count_rows!(&mut conn)
}

/// Starts five `serve --demo` processes at the same instant on one database; all must come
/// up and answer `/readyz`, and the demo data must be there once.
async fn five_start_together(url: &str) -> Vec<Served> {
    let starts: Vec<_> = (0..5)
        .map(|_| {
            let url = url.to_owned();
            std::thread::spawn(move || Served::start(&url, &["--webhook-concurrency", "0"]))
        })
        .collect();
    let served: Vec<Served> = starts
        .into_iter()
        .map(|start| start.join().expect("every process comes up"))
        .collect();
    let client = client();
    for process in &served {
        let ready = client
            .get(format!("{}/readyz", process.base))
            .send()
            .await
            .expect("readyz answered");
        assert_eq!(ready.status(), StatusCode::OK, "{}", process.base);
        let (status, _) = sign_in(
            &client,
            &process.base,
            demo::INSTRUCTOR,
            demo::DEMO_PASSWORD,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    served
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_started_together_on_one_sqlite_file_all_come_up_with_one_demo() {
    let (_dir, url) = temp_sqlite();
    let served = five_start_together(&url).await;
    let (users, sessions) = demo_counts_sqlite(&url);
    assert_eq!(users, 9, "nine demo accounts, once");
    assert_eq!(sessions, 4, "the four workflow sessions, once");
    drop(served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_started_together_on_one_postgres_database_all_come_up_with_one_demo() {
    let Some(database) = PostgresDatabase::create(
        "five_processes_started_together_on_one_postgres_database_all_come_up_with_one_demo",
    ) else {
        return;
    };
    let served = five_start_together(&database.url).await;
    let url = database.url.clone();
    let (users, sessions) = tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = diesel::pg::PgConnection::establish(&url).expect("connect");
        count_rows!(&mut conn)
    })
    .await
    .expect("count");
    assert_eq!(users, 9, "nine demo accounts, once");
    assert_eq!(sessions, 4, "the four workflow sessions, once");
    drop(served);
}

/// The id of the demo session ann holds (erin's), read through the API as ann.
async fn anns_session(client: &reqwest::Client, base: &str, cookie: &str) -> i64 {
    let page: Value = client
        .get(format!("{base}{API}/scheduled-sessions?status=claimed"))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("list")
        .text()
        .await
        .map(|text| serde_json::from_str(&text).expect("json"))
        .expect("a body");
    page["items"]
        .as_array()
        .and_then(|items| items.first())
        .and_then(|item| item["id"].as_i64())
        .expect("ann's claimed session")
}

/// Sends `count` copies of `POST {path}` at once with `cookie`; their statuses.
async fn at_once(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    count: usize,
) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.to_owned());
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("Cookie", cookie)
                    .header("X-Requested-With", "real-use-test")
                    .send()
                    .await
                    .expect("answered")
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_renewing_twenty_times_at_once_is_not_an_outage_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    let served = Served::start(&url, &[]);
    let client = client();
    let (_, ann) = sign_in(&client, &served.base, demo::ANN, demo::DEMO_PASSWORD, None).await;
    let ann = ann.expect("ann's cookie");
    let id = anns_session(&client, &served.base, &ann).await;
    for action in ["renew", "claim"] {
        let url = format!("{}{API}/scheduled-sessions/{id}/{action}", served.base);
        let statuses = at_once(&client, &url, &ann, 20).await;
        assert_eq!(
            tally(&statuses),
            HashMap::from([(200, 20)]),
            "{action}: the holder repeating it succeeds every time"
        );
    }
    // Someone else claiming it at the same time gets 409, never 503.
    let (_, sensei) = sign_in(
        &client,
        &served.base,
        demo::INSTRUCTOR,
        demo::DEMO_PASSWORD,
        None,
    )
    .await;
    let url = format!("{}{API}/scheduled-sessions/{id}/claim", served.base);
    let statuses = at_once(&client, &url, &sensei.expect("cookie"), 20).await;
    assert_eq!(tally(&statuses), HashMap::from([(409, 20)]));
    let logs = served.logs();
    assert!(!logs.contains("database unavailable"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_claims_across_two_postgres_processes_make_one_holder_and_no_503() {
    let Some(database) = PostgresDatabase::create(
        "forty_claims_across_two_postgres_processes_make_one_holder_and_no_503",
    ) else {
        return;
    };
    // One cookie key for both, as a deployment has: a sign-in on one works on the other.
    let key = "ab".repeat(64);
    let shared = ["--webhook-concurrency", "0", "--cookie-key", key.as_str()];
    let first = Served::start(&database.url, &shared);
    let second = Served::start(&database.url, &shared);
    let client = client();
    let (_, sensei) = sign_in(
        &client,
        &first.base,
        demo::INSTRUCTOR,
        demo::DEMO_PASSWORD,
        None,
    )
    .await;
    let (_, ann) = sign_in(&client, &second.base, demo::ANN, demo::DEMO_PASSWORD, None).await;
    let (sensei, ann) = (sensei.expect("cookie"), ann.expect("cookie"));
    // Dave's pending session: both instructors claim it twenty times each, split across the
    // two processes.
    let page: Value = client
        .get(format!(
            "{}{API}/scheduled-sessions?status=pending",
            first.base
        ))
        .header("Cookie", &sensei)
        .send()
        .await
        .expect("list")
        .text()
        .await
        .map(|text| serde_json::from_str(&text).expect("json"))
        .expect("a body");
    let id = page["items"][0]["id"].as_i64().expect("a pending session");
    let path = format!("{API}/scheduled-sessions/{id}/claim");
    let runs = [
        (first.base.clone(), sensei.clone()),
        (second.base.clone(), sensei.clone()),
        (first.base.clone(), ann.clone()),
        (second.base.clone(), ann.clone()),
    ];
    let tasks: Vec<_> = runs
        .into_iter()
        .map(|(base, cookie)| {
            let (client, url) = (client.clone(), format!("{base}{path}"));
            tokio::spawn(async move { (cookie.clone(), at_once(&client, &url, &cookie, 10).await) })
        })
        .collect();
    let mut by_instructor: HashMap<String, Vec<StatusCode>> = HashMap::new();
    for task in tasks {
        let (cookie, statuses) = task.await.expect("task");
        by_instructor.entry(cookie).or_default().extend(statuses);
    }
    let outcomes: Vec<HashMap<u16, usize>> = by_instructor.values().map(|s| tally(s)).collect();
    assert!(
        outcomes.contains(&HashMap::from([(200, 20)]))
            && outcomes.contains(&HashMap::from([(409, 20)])),
        "one holder gets 200 every time, the other 409 every time: {outcomes:?}"
    );
    let logs = first.logs() + &second.logs();
    assert!(!logs.contains("database unavailable"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_wrong_passwords_meets_429_with_bounded_memory_and_no_5xx() {
    let (_dir, url) = temp_sqlite();
    let served = Served::start(&url, &[]);
    let client = client();
    let started = std::time::Instant::now();
    // 64 connections guessing, four guesses each (bounded by count: a debug build hashes
    // slowly).
    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let (client, base) = (client.clone(), served.base.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..4 {
                    let email = DEMO_ACCOUNTS[n % DEMO_ACCOUNTS.len()];
                    statuses.push(sign_in(&client, &base, email, "wrong", None).await.0);
                }
                statuses
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.extend(task.await.expect("task"));
    }
    let counts = tally(&statuses);
    assert!(
        counts.keys().all(|status| *status == 401 || *status == 429),
        "{counts:?}"
    );
    // The address's hundred failures, and the ones earned back meanwhile (100 a minute).
    let earned = started.elapsed().as_secs_f64() * 100.0 / 60.0;
    let failed = counts.get(&401).copied().unwrap_or(0);
    assert!(
        failed as f64 <= 101.0 + earned,
        "{counts:?} in {:?}",
        started.elapsed()
    );
    assert!(counts.get(&429).copied().unwrap_or(0) > 0, "{counts:?}");
    let peak = served.rss_kib();
    assert!(peak < 128 * 1024, "peak RSS {peak} KiB");
    // The class still signs in from another address... and the flooded one after it paused
    // is still refused (the flood spent its budget).
    let (status, _) = sign_in(&client, &served.base, demo::BOB, demo::DEMO_PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
