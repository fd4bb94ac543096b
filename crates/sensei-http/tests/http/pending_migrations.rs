//! The real `sensei` binary started on a database that misses some of this release's
//! migrations (an upgrade where `sensei migrate` was forgotten): it says so at start-up, naming
//! them and the command, and says nothing once they ran.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Starts `sensei serve` on `database` (no `--migrate`), waits for its address (the check
/// runs before the server binds), stops it and returns what it logged. How it exits is not
/// this test's concern: a SIGTERM this early may come before its handler is installed.
fn serve_briefly(database: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", database])
        .env_remove("DATABASE_URL")
        .env_remove("SENSEI_MIGRATE")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sensei binary starts");
    let stdout = child.stdout.take().unwrap();
    let (listening, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("http://") {
                let _ = listening.send(());
            }
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let up = started.recv_timeout(Duration::from_secs(20));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap();
    let text = logs.join().unwrap_or_default();
    assert!(up.is_ok(), "sensei serve did not start: {text}");
    text
}

#[test]
fn serve_names_the_migrations_it_misses_until_they_ran() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-migrated.sqlite3");
    let url = path.to_str().unwrap();
    std::fs::File::create(&path).unwrap();

    let logs = serve_briefly(url);
    assert!(
        logs.contains("of this release's migrations: run `sensei migrate`"),
        "{logs}"
    );
    assert!(
        logs.contains("20240116000000"),
        "the newest is named: {logs}"
    );

    let migrate = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["migrate", "--database-url", url])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let logs = serve_briefly(url);
    assert!(!logs.contains("release's migrations"), "{logs}");
}
