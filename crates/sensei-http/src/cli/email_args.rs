//! `sensei serve`'s email arguments.

use clap::Args;

use crate::email::{EmailSettings, SmtpUrl};

/// How email to students is sent.
#[derive(Debug, Clone, Args)]
pub struct EmailArgs {
    /// The SMTP server that sends email to students (receipts, claims, completions,
    /// cancellations, password-reset links): smtp://user:password@host:587?tls=required,
    /// smtps://user:password@host, or smtp://127.0.0.1:25 (no TLS, a local relay). Off when
    /// unset.
    #[arg(long, env = "SENSEI_SMTP_URL", hide_env_values = true, value_parser = SmtpUrl::parse)]
    pub smtp_url: Option<SmtpUrl>,
    /// The sender of emails.
    #[arg(long, env = "SENSEI_EMAIL_FROM", default_value = "Sensei <sensei@localhost>", value_parser = |raw: &str| crate::email::parse_from(raw).map(|_| raw.to_owned()))]
    pub email_from: String,
    /// The service's address as students reach it, for the links in emails (default: the
    /// bind address over http).
    #[arg(long, env = "SENSEI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The wait before a failed email is tried again, in milliseconds; it doubles with each
    /// failure up to an hour, and retries go on for a day.
    #[arg(
        long,
        env = "SENSEI_EMAIL_RETRY_BASE_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub email_retry_base_ms: u64,
    /// How passwords set through an emailed reset link are hashed.
    #[command(flatten)]
    pub password_format: super::user::PasswordFormatArg,
}

impl EmailArgs {
    /// The settings, with links under `--public-url` or else `http://{bind}`.
    pub fn settings(&self, bind: &str) -> EmailSettings {
        EmailSettings {
            smtp_url: self.smtp_url.clone(),
            from: self.email_from.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{bind}")),
            retry_base: std::time::Duration::from_millis(self.email_retry_base_ms),
            password_format: self.password_format.password_format,
            ..EmailSettings::default()
        }
    }
}
