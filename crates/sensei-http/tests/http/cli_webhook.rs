//! The `sensei` command line as a child process: `webhook add` whose standard output is a
//! pipe nobody reads fails cleanly and keeps no endpoint (its secret was never shown), the
//! database and logging flags are accepted after any sub-command, and an error is said once.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `sensei` with `args` (no `DATABASE_URL` from the environment), output captured.
fn sensei(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the sensei binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A migrated SQLite database in `dir`, as `sqlite:PATH`.
fn migrated(dir: &Path) -> String {
    let url = format!("sqlite:{}", dir.join("cli.sqlite3").display());
    let migrate = sensei(&["migrate", "--database-url", &url]);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    url
}

fn listed(url: &str) -> String {
    let list = sensei(&["webhook", "list", "--database-url", url]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    text(&list.stdout)
}

#[test]
fn webhook_add_into_a_closed_pipe_fails_without_a_panic_and_keeps_no_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    // A pipe whose reading end is closed before the command starts: its first write fails
    // with EPIPE, deterministically.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let add = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["webhook", "add", "https://hooks.example.com/sensei"])
        .args(["--database-url", &url])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = text(&add.stderr);
    assert_eq!(add.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("the reading end of the pipe was closed")
            && stderr.contains("endpoint 1 was removed again"),
        "{stderr}"
    );
    assert_eq!(listed(&url), "no webhook endpoints\n");
}

#[test]
fn database_and_logging_flags_are_accepted_after_any_sub_command() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    let add = sensei(&[
        "webhook",
        "add",
        "https://hooks.example.com/sensei",
        "--database-url",
        &url,
        "--log-format",
        "json",
        "--db-timeout-ms",
        "1500",
    ]);
    assert!(add.status.success(), "{}", text(&add.stderr));
    let printed = text(&add.stdout);
    let secret = printed.lines().nth(2).unwrap_or_default();
    assert!(
        secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()),
        "{printed}"
    );
    assert!(listed(&url).starts_with("1\thttps://hooks.example.com/sensei\t"));
    // Before the action, as before.
    let before = sensei(&["webhook", "--database-url", &url, "log", "--limit", "5"]);
    assert!(before.status.success(), "{}", text(&before.stderr));
    let remove = sensei(&[
        "webhook",
        "remove",
        "1",
        "--db-max-connections",
        "2",
        "--database-url",
        &url,
    ]);
    assert!(remove.status.success(), "{}", text(&remove.stderr));
    assert_eq!(text(&remove.stdout), "removed webhook endpoint 1\n");
    let backup = dir.path().join("copy.sqlite3");
    let copied = sensei(&[
        "backup",
        "--to",
        &backup.display().to_string(),
        "--database-url",
        &url,
    ]);
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    assert!(backup.exists());
}

#[test]
fn a_failing_command_says_why_once() {
    let failed = sensei(&["webhook", "list"]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = text(&failed.stderr);
    assert_eq!(stderr.matches("no database given").count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: no database given"), "{stderr}");
}
