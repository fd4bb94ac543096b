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
        .args(["webhook", "add", "http://127.0.0.1:9/sensei"])
        .args(["--database-url", &url, "--webhook-allow", "127.0.0.0/8"])
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
        "http://robot:s3cret@127.0.0.1:9/sensei",
        "--webhook-allow",
        "127.0.0.0/8",
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
    assert!(printed.contains("http://***@127.0.0.1:9/sensei") && !printed.contains("s3cret"));
    assert!(listed(&url).starts_with("1\thttp://***@127.0.0.1:9/sensei\t"));
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

#[test]
fn webhook_add_refuses_loopback_private_and_metadata_addresses_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    for (endpoint, address) in [
        ("http://127.0.0.1:9/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
    ] {
        let add = sensei(&["webhook", "add", endpoint, "--database-url", &url]);
        let stderr = text(&add.stderr);
        assert_eq!(add.status.code(), Some(1), "{endpoint}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "points to {address}, which is not a public address"
            )),
            "{endpoint}: {stderr}"
        );
    }
    // `localhost` resolves from the hosts file (127.0.0.1, or ::1 first).
    let add = sensei(&[
        "webhook",
        "add",
        "http://localhost:9/",
        "--database-url",
        &url,
    ]);
    assert_eq!(add.status.code(), Some(1));
    assert!(text(&add.stderr).contains("which is not a public address"));
    assert_eq!(listed(&url), "no webhook endpoints\n");
    let allowed = sensei(&[
        "webhook",
        "add",
        "http://127.1:9/",
        "--webhook-allow",
        "127.0.0.0/8",
        "--database-url",
        &url,
    ]);
    assert!(allowed.status.success(), "{}", text(&allowed.stderr));
    assert!(listed(&url).starts_with("1\thttp://127.0.0.1:9/\t"));
    let bad = sensei(&[
        "webhook",
        "add",
        "http://127.1:9/",
        "--webhook-allow",
        "loopback",
    ]);
    assert_eq!(bad.status.code(), Some(2), "a usage error");
}
