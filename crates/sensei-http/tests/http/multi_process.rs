//! The multi-process deployment: two `sensei serve` processes on different loopback ports
//! sharing one database (a fresh PostgreSQL database, and one SQLite file). Concurrent
//! bookings of the same (student, submission) pair, split across both processes, create
//! exactly one row. PostgreSQL runs when `SENSEI_TEST_POSTGRES_URL` is set (and says loudly
//! that it was skipped otherwise).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use sensei_core::ports::AccountRepository;
use sensei_core::{ChallengeId, Role, SessionQuery, StatusFilter, SubmissionId, UserId};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};

use crate::helpers::PostgresDatabase;

pub(crate) const IDENTITY_HEADER: &str = "X-Test-Email";
/// Concurrent booking requests sent to each process per round.
const PER_PROCESS: usize = 20;
const ROUNDS: usize = 3;

/// A `sensei serve` child process, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    /// Starts `sensei serve` on a free loopback port (`--bind 127.0.0.1:0`) and waits until
    /// it prints its address and `/readyz` answers.
    pub(crate) fn start(database_url: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
            .args([
                "serve",
                "--database-url",
                database_url,
                "--bind",
                "127.0.0.1:0",
            ])
            .env("SENSEI_TRUSTED_HEADER", IDENTITY_HEADER)
            .env("SENSEI_TRUSTED_PROXIES", "127.0.0.1,::1")
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
                if let Some(at) = line.find("http://") {
                    let base = line[at..].trim_end_matches('/').to_owned();
                    let _ = sender.send(base);
                }
            }
        });
        let base = match receiver.recv_timeout(Duration::from_secs(20)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!("sensei serve did not report its address within 20 s");
            }
        };
        Server { child, base }
    }

    pub(crate) async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{} never became ready",
                self.base
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A student with `count` submissions that are eligible (latest review `needs_work`).
pub(crate) async fn eligible_student(
    db: &Database,
    email: &str,
    count: usize,
) -> Vec<SubmissionId> {
    let student = db
        .accounts()
        .create(email, Role::Student, "not-used-with-the-trusted-header")
        .await
        .unwrap();
    let writer = db.platform_writer();
    let (challenge, _goals): (ChallengeId, _) = writer
        .create_challenge("Shared queue", "Book from two processes", &["a", "b", "c"])
        .await
        .unwrap();
    let mut submissions = Vec::new();
    for _ in 0..count {
        let submission = writer
            .create_submission(student, challenge, Utc::now() - chrono::Duration::days(3))
            .await
            .unwrap();
        writer
            .add_review(
                submission,
                "needs_work",
                Utc::now() - chrono::Duration::days(2),
            )
            .await
            .unwrap();
        submissions.push(submission);
    }
    submissions
}

/// Books `submission` as `email` with [`PER_PROCESS`] concurrent requests to each server;
/// returns how many answered 201 (created) and 200 (duplicate).
async fn book_concurrently(
    client: &reqwest::Client,
    servers: &[&Server],
    email: &str,
    submission: SubmissionId,
) -> (usize, usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..PER_PROCESS * servers.len() {
        let server = servers[index % servers.len()];
        let url = format!(
            "{}/api/v1/submissions/{}/scheduled-sessions",
            server.base,
            submission.get()
        );
        let request = client
            .post(url)
            .header(IDENTITY_HEADER, email)
            .header("X-Requested-With", "multi-process-test");
        tasks.spawn(async move { request.send().await.map(|response| response.status()) });
    }
    let (mut created, mut duplicate) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        let status = joined.unwrap().expect("request");
        match status.as_u16() {
            201 => created += 1,
            200 => duplicate += 1,
            other => panic!("a booking answered {other}"),
        }
    }
    (created, duplicate)
}

/// Two processes over one database: every round's concurrent bookings of one pair leave
/// exactly one row.
async fn two_processes_keep_one_row_per_pair(database_url: &str) {
    let url = DatabaseUrl::parse(database_url).unwrap();
    let db = Database::connect(&url, PoolOptions::for_url(&url)).unwrap();
    db.migrate().await.unwrap();
    let email = "shared@example.com";
    let submissions = eligible_student(&db, email, ROUNDS).await;

    let first = Server::start(database_url);
    let second = Server::start(database_url);
    assert_ne!(first.base, second.base);
    let client = crate::helpers::http_client()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    first.wait_ready(&client).await;
    second.wait_ready(&client).await;

    let sessions = db.ports().sessions;
    for submission in submissions {
        let (created, duplicate) =
            book_concurrently(&client, &[&first, &second], email, submission).await;
        assert_eq!(created, 1, "exactly one request creates the session");
        assert_eq!(duplicate, 2 * PER_PROCESS - 1);
        let latest = sessions
            .latest_for(owner(&db, email).await, submission)
            .await;
        assert!(latest.unwrap().is_some());
    }
    let all = SessionQuery {
        status: StatusFilter::All,
        ..SessionQuery::default()
    };
    assert_eq!(
        sessions.count(&all).await.unwrap(),
        ROUNDS as u64,
        "one row per pair, whatever the number of processes"
    );
    drop((first, second));
}

async fn owner(db: &Database, email: &str) -> UserId {
    db.accounts()
        .find_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .account
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_sqlite_file_keep_one_row_per_pair() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    two_processes_keep_one_row_per_pair(&format!("sqlite://{}", path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_database_keep_one_row_per_pair() {
    let Some(database) = tokio::task::spawn_blocking(|| {
        PostgresDatabase::create("the multi-process PostgreSQL test")
    })
    .await
    .unwrap() else {
        return;
    };
    two_processes_keep_one_row_per_pair(&database.url).await;
    drop(database);
}
