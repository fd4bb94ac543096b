//! The real `sensei` binary as a child process on a free loopback port, for the tests that
//! use it as a user would: started with any arguments, its address read from the line it
//! prints, its log kept, killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The lines `sensei serve` prints with its address (demo and plain).
const ADDRESS_MARKERS: [&str; 2] = ["Sensei demo is running at ", "sensei is listening on "];

/// A running `sensei serve`, killed when dropped; its stderr is kept.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    logs: std::sync::mpsc::Receiver<String>,
}

impl Served {
    /// Starts `sensei serve --demo --bind 127.0.0.1:0 --database-url URL [extra]`.
    pub fn start(database_url: &str, extra: &[&str]) -> Served {
        let mut args = vec![
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ];
        args.extend_from_slice(extra);
        Served::spawn(&args)
    }

    /// Starts `sensei ARGS` (a `serve` command binding a loopback port) with a clean
    /// environment and waits (at most 90 s: several processes may be starting at once) for
    /// the line with its address.
    pub fn spawn(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("SENSEI_COOKIE_KEY")
            .env_remove("SENSEI_TRUSTED_HEADER")
            .env_remove("SENSEI_TRUSTED_PROXIES")
            .env_remove("SENSEI_METRICS_BIND")
            .env_remove("SENSEI_LOG_FORMAT")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sensei binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                for marker in ADDRESS_MARKERS {
                    if let Some(rest) = line.split(marker).nth(1) {
                        let _ = url_tx.send(rest.trim().trim_end_matches('/').to_owned());
                    }
                }
            }
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let (log_tx, logs) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = log_tx.send(text);
        });
        let base = match url_rx.recv_timeout(Duration::from_secs(90)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let logs = logs
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!("sensei serve did not come up within 90 s; its log:\n{logs}");
            }
        };
        Served { child, base, logs }
    }

    /// The process's resident memory now, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// Stops it (SIGKILL) and returns its log.
    pub fn logs(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.logs
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
