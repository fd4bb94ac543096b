//! Email to students over SMTP (`sensei serve --smtp-url`): `render.rs` (a message from what
//! the core gathered: subject, plain text, HTML, `List-Unsubscribe`), `worker.rs` (the loop
//! `sensei serve` runs: keep email on, lease due emails, send them with bounded concurrency
//! and time, record each attempt). The rules (which event emails whom, opt-outs, retries,
//! link expiry) are the core's: `sensei_core::services::EmailService`.

pub mod render;
pub mod worker;

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// An SMTP server's URL (`smtp://user:pass@host:587?tls=required`, `smtps://host`, or
/// `smtp://host:25` without TLS, e.g. a local relay). Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    /// Checks a URL the way the SMTP client will read it.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn parse(raw: &str) -> Result<SmtpUrl, String> {
        let raw = raw.trim();
        AsyncSmtpTransport::<Tokio1Executor>::from_url(raw).map_err(|error| {
            format!(
                "--smtp-url is not a usable SMTP URL ({error}); use e.g. \
                 smtp://user:password@mail.example.org:587?tls=required or smtp://127.0.0.1:25"
            )
        })?;
        Ok(SmtpUrl(raw.to_owned()))
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}://<credentials>{}", &self.0[..scheme], &self.0[at..])
            }
            _ => self.0.clone(),
        };
        write!(f, "SmtpUrl({shown})")
    }
}

/// Parses a sender (`Sensei <sensei@example.org>` or an address).
///
/// # Errors
/// A message naming the value.
pub fn parse_from(raw: &str) -> Result<Mailbox, String> {
    raw.trim().parse::<Mailbox>().map_err(|_| {
        format!("--email-from {raw:?} is not an address (e.g. \"Sensei <sensei@example.org>\")")
    })
}

/// How email is sent (`sensei serve --smtp-url ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The SMTP server; `None` sends no email (and writes no outbox rows).
    pub smtp_url: Option<SmtpUrl>,
    /// The sender, checked by [`parse_from`] (`Sensei <sensei@example.org>`).
    pub from: String,
    /// The service's address as students reach it, for the links in emails (no trailing
    /// slash), e.g. `https://sensei.example.org`.
    pub public_url: String,
    /// Emails sent at once.
    pub concurrency: usize,
    /// The longest one send may take (connecting included).
    pub timeout: Duration,
    /// How often the outbox is polled when idle.
    pub poll_interval: Duration,
    /// The first retry's wait (then doubling, at most an hour, for a day).
    pub retry_base: Duration,
    /// How a password set through a reset link is hashed (as `sensei user set-password`).
    pub password_format: sensei_core::PasswordFormat,
}

impl Default for EmailSettings {
    /// Off; 4 at once, 10 s per send, polled every second, first retry after 10 s.
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Sensei <sensei@localhost>".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            concurrency: 4,
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            retry_base: Duration::from_secs(10),
            password_format: sensei_core::PasswordFormat::Argon2,
        }
    }
}

impl EmailSettings {
    /// How long a worker holds a leased email: the send's timeout twice over plus five
    /// seconds to record it.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }

    /// The links' base, without a trailing slash.
    pub fn base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}
