//! `sensei serve`: runs the HTTP service.

use std::num::NonZeroU32;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::Args;
use ipnet::IpNet;
use poem::http::HeaderName;
use sensei_core::Policy;
use sensei_diesel::{Database, DatabaseUrl};

use super::database::DatabaseArgs;
use super::{CliResult, CliResultError};
use crate::client_ip::TrustedProxies;
use crate::config::{parse_proxy, AppConfig, ConnectionLimits, CookieSecret, TrustedHeader};
use crate::demo;
use crate::startup::Application;
use crate::throttle::SignInLimits;
use crate::webhooks::WebhookSettings;

/// The SQLite file `serve --demo` uses when no database is given.
pub const DEMO_DATABASE: &str = "sensei-demo.sqlite3";

/// How long a process waits for others' start-up work (migrations, demo data) on the same
/// database before it gives up.
pub const STARTUP_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The longest dedup window `--dedup-window-secs` accepts: 7 days.
pub const MAX_DEDUP_WINDOW_SECS: i64 = 7 * 24 * 60 * 60;

/// `sensei serve [--database-url URL] [--bind ADDR] [--demo]`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SENSEI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Demo mode: use ./sensei-demo.sqlite3 unless a database is given, migrate it, load the
    /// demo accounts and data (idempotent), and print the logins.
    #[arg(long)]
    pub demo: bool,
    /// Apply pending migrations before serving (always done with --demo).
    #[arg(long, env = "SENSEI_MIGRATE", value_parser = BoolishValueParser::new(), default_value_t = false)]
    pub migrate: bool,
    /// Engagement percentage (1-100) at or above which a student may book.
    #[arg(
        long,
        env = "SENSEI_ENGAGEMENT_THRESHOLD",
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub engagement_threshold: u32,
    /// A booking this many seconds after the previous one for the same submission shows the
    /// existing session instead of creating one (1 s to 7 days).
    #[arg(
        long,
        env = "SENSEI_DEDUP_WINDOW_SECS",
        default_value_t = 3600,
        value_parser = clap::value_parser!(i64).range(1..=MAX_DEDUP_WINDOW_SECS)
    )]
    pub dedup_window_secs: i64,
    /// Minutes an instructor's claim on a session holds (renewing restarts it).
    #[arg(
        long,
        env = "SENSEI_CLAIM_MINUTES",
        default_value_t = 30,
        value_parser = clap::value_parser!(i64).range(1..=1440)
    )]
    pub claim_minutes: i64,
    /// Most live claims one instructor may hold at once.
    #[arg(
        long,
        env = "SENSEI_MAX_LIVE_CLAIMS",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub max_live_claims: u32,
    /// Most open (pending or claimed) sessions one student may have at once.
    #[arg(
        long,
        env = "SENSEI_MAX_OPEN_SESSIONS",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub max_open_sessions: u32,
    /// Trust this request header (e.g. X-Forwarded-Email) as the signed-in user's email, from
    /// the proxies listed with --trusted-proxy only. Off by default.
    #[arg(long, env = "SENSEI_TRUSTED_HEADER", requires = "trusted_proxy")]
    pub trusted_header: Option<String>,
    /// A reverse proxy in front of the service: an address or CIDR block (repeat the flag, or
    /// separate with commas). From these peers the client address in `X-Forwarded-For`
    /// (its rightmost entry that is not a listed proxy) is the one the sign-in limits see, and
    /// they alone may send --trusted-header. From any other peer both headers are ignored.
    #[arg(long, env = "SENSEI_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxy: Vec<IpNet>,
    /// Failed sign-ins allowed per minute for one account (email), from any address (correct
    /// ones cost nothing).
    #[arg(
        long,
        env = "SENSEI_SIGN_IN_PER_ACCOUNT_PER_MINUTE",
        default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub sign_in_per_account_per_minute: u32,
    /// Failed sign-ins allowed per minute from one client address (an IPv6 client's /64), for
    /// any accounts (correct ones cost nothing, so a class behind one address all get in).
    #[arg(
        long,
        env = "SENSEI_SIGN_IN_PER_ADDRESS_PER_MINUTE",
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub sign_in_per_address_per_minute: u32,
    /// Seconds a client has to send a request's headers in full; slower connections are
    /// closed.
    #[arg(
        long,
        env = "SENSEI_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub header_timeout_secs: u64,
    /// Seconds an idle (keep-alive) connection stays open.
    #[arg(
        long,
        env = "SENSEI_IDLE_TIMEOUT_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86400)
    )]
    pub idle_timeout_secs: u64,
    /// Most client connections open at once; further clients wait to be accepted. Keep it
    /// well under the process's open-file limit (`ulimit -n`).
    #[arg(
        long,
        env = "SENSEI_MAX_CONNECTIONS",
        default_value_t = 4096,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_connections: u64,
    /// Most live streams (`GET /api/v1/events`) one account may have open at once (tabs,
    /// scripts); the next is answered 429.
    #[arg(
        long,
        env = "SENSEI_LIVE_STREAMS_PER_ACCOUNT",
        default_value_t = sensei_core::StreamCaps::PER_ACCOUNT,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    pub live_streams_per_account: u32,
    /// Most live streams this process serves at once (each holds a connection: keep it
    /// under --max-connections); the next is answered 429.
    #[arg(
        long,
        env = "SENSEI_LIVE_STREAMS",
        default_value_t = sensei_core::StreamCaps::TOTAL,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000)
    )]
    pub live_streams: u32,
    /// Mark the session cookie `Secure` (set when users reach the service over HTTPS).
    #[arg(long, env = "SENSEI_COOKIE_SECURE", value_parser = BoolishValueParser::new(), default_value_t = false)]
    pub cookie_secure: bool,
    /// The session cookie key: at least 64 bytes, hex or base64 (e.g. `openssl rand -hex 64`),
    /// the same on every process. Without it a random key is drawn and sign-ins end with the
    /// process. Prefer the environment variable: a flag shows in `ps`.
    #[arg(long, env = "SENSEI_COOKIE_KEY", hide_env_values = true)]
    pub cookie_key: Option<String>,
    /// Serve /metrics on this address (e.g. 127.0.0.1:9100) instead of on --bind, to keep
    /// it off the public listener.
    #[arg(long, env = "SENSEI_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// Client addresses allowed to read /metrics (CIDR blocks or addresses; repeat the flag
    /// or separate with commas); everyone else gets 404. Behind --trusted-proxy the forwarded
    /// client address counts. Default: loopback only.
    #[arg(
        long,
        env = "SENSEI_METRICS_ALLOW",
        value_delimiter = ',',
        value_parser = parse_proxy,
        default_value = "127.0.0.0/8,::1/128"
    )]
    pub metrics_allow: Vec<IpNet>,
    /// Webhook deliveries this process posts at once (0: this process delivers none; another
    /// process on the same database may).
    #[arg(
        long,
        env = "SENSEI_WEBHOOK_CONCURRENCY",
        default_value_t = 8,
        value_parser = clap::value_parser!(u64).range(0..=256)
    )]
    pub webhook_concurrency: u64,
    /// The longest one webhook attempt may take, connecting included, in milliseconds.
    #[arg(
        long,
        env = "SENSEI_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(100..=60_000)
    )]
    pub webhook_timeout_ms: u64,
    /// How often the webhook outbox is polled when idle, in milliseconds.
    #[arg(
        long,
        env = "SENSEI_WEBHOOK_POLL_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=60_000)
    )]
    pub webhook_poll_ms: u64,
    /// The wait before a failed webhook is tried again, in milliseconds; it doubles with each
    /// failure up to an hour, and retries go on for a day.
    #[arg(
        long,
        env = "SENSEI_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub webhook_retry_base_ms: u64,
    /// An address range webhooks may go to besides public addresses (CIDR, e.g.
    /// 10.20.0.0/16; repeat the flag, or separate with commas). Off by default: loopback,
    /// private, link-local and other special addresses are refused.
    #[arg(long, env = "SENSEI_WEBHOOK_ALLOW", value_delimiter = ',')]
    pub webhook_allow: Vec<sensei_core::AddressRange>,
    /// Email to students (`--smtp-url` and the rest; boxed: the arguments stay small).
    #[command(flatten)]
    pub email: Box<super::email_args::EmailArgs>,
}

/// The cookie key from `--cookie-key`/`SENSEI_COOKIE_KEY`, or a fresh one with a warning.
fn cookie_key(given: Option<&str>) -> Result<CookieSecret, CliResultError> {
    match given {
        Some(raw) if !raw.trim().is_empty() => Ok(CookieSecret::parse(raw)?),
        _ => {
            tracing::warn!(
                "SENSEI_COOKIE_KEY is not set: using a random key, so sign-ins end when the \
                 process stops and are not shared between processes"
            );
            Ok(CookieSecret::generate()?)
        }
    }
}

fn trusted_header(
    raw: Option<&str>,
    proxies: &[IpNet],
) -> Result<Option<TrustedHeader>, CliResultError> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(name) => {
            let header = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                .map_err(|_| format!("SENSEI_TRUSTED_HEADER: {name:?} is not a header name"))?;
            if proxies.is_empty() {
                return Err(format!(
                    "--trusted-header {name} needs --trusted-proxy: list the addresses of the \
                     proxies allowed to send it"
                )
                .into());
            }
            let listed: Vec<String> = proxies.iter().map(ToString::to_string).collect();
            tracing::warn!(
                header = %header,
                proxies = %listed.join(","),
                "trusted-header identity is ON: requests from these proxies carrying this header \
                 are signed in as its email"
            );
            Ok(Some(TrustedHeader {
                name: header,
                proxies: proxies.to_vec(),
            }))
        }
    }
}

/// A per-minute limit from a flag clap already checked to be at least 1.
fn per_minute(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN)
}

impl ServeArgs {
    /// The application configuration these arguments describe.
    ///
    /// # Errors
    /// When a value is out of range or the cookie key is malformed.
    pub fn app_config(&self) -> Result<AppConfig, CliResultError> {
        // clap bounds the value already; checked construction anyway, for callers that build
        // the arguments themselves.
        let window = chrono::Duration::try_seconds(self.dedup_window_secs).ok_or_else(|| {
            format!(
                "--dedup-window-secs {} is out of range (1 to {MAX_DEDUP_WINDOW_SECS})",
                self.dedup_window_secs
            )
        })?;
        let policy = Policy::new(self.engagement_threshold, window)?
            .with_claim_time(chrono::Duration::minutes(self.claim_minutes))?
            .with_max_live_claims(self.max_live_claims)?
            .with_max_open_sessions(self.max_open_sessions)?;
        Ok(AppConfig {
            bind: self.bind.clone(),
            cookie_key: cookie_key(self.cookie_key.as_deref())?,
            cookie_secure: self.cookie_secure,
            policy,
            trusted_header: trusted_header(self.trusted_header.as_deref(), &self.trusted_proxy)?,
            trusted_proxies: TrustedProxies::new(self.trusted_proxy.clone()),
            sign_in_limits: SignInLimits {
                per_account_per_minute: per_minute(self.sign_in_per_account_per_minute),
                per_address_per_minute: per_minute(self.sign_in_per_address_per_minute),
            },
            connections: ConnectionLimits {
                header_timeout: Duration::from_secs(self.header_timeout_secs),
                idle_timeout: Duration::from_secs(self.idle_timeout_secs),
                max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            },
            live_streams: sensei_core::StreamCaps {
                per_account: self.live_streams_per_account,
                total: self.live_streams,
            },
            metrics_bind: self
                .metrics_bind
                .as_deref()
                .map(str::trim)
                .filter(|bind| !bind.is_empty())
                .map(str::to_owned),
            metrics_allow: self.metrics_allow.clone(),
            webhooks: WebhookSettings {
                concurrency: usize::try_from(self.webhook_concurrency).unwrap_or(0),
                attempt_timeout: Duration::from_millis(self.webhook_timeout_ms),
                poll_interval: Duration::from_millis(self.webhook_poll_ms),
                retry_base: Duration::from_millis(self.webhook_retry_base_ms),
                allow: self.webhook_allow.clone(),
            },
            email: self.email.settings(&self.bind),
        })
    }
}

/// Connects, migrates and loads demo data when asked, then serves until SIGINT/SIGTERM.
///
/// # Errors
/// When the configuration is invalid, the database cannot be set up, or the address cannot
/// be bound.
pub async fn run(args: ServeArgs) -> CliResult {
    let config = args.app_config()?;
    let url = args.database.url(args.demo.then_some(DEMO_DATABASE))?;
    let database = args.database.connect(&url).await?;
    tracing::info!(database = %url, backend = database.backend_name(), "database connected");
    if args.demo || args.migrate {
        // Processes started together take turns: the first migrates and loads the demo data,
        // the others then find it done.
        let _turn = database.startup_lock(STARTUP_LOCK_WAIT).await?;
        let applied = database.migrate().await?;
        tracing::info!(applied = applied.len(), "migrations applied");
        if args.demo {
            let loaded = demo::load(&database).await?;
            tracing::info!(created = loaded.created_accounts, "demo data ready");
        }
    } else {
        warn_of_pending_migrations(&database, &url).await;
    }
    let application = Application::build(config, database).await?;
    let address = application.address();
    tracing::info!(%address, "listening");
    match application.metrics_address() {
        Some(metrics) => tracing::info!(%metrics, "metrics at http://{metrics}/metrics"),
        None => tracing::info!("metrics at http://{address}/metrics"),
    }
    // The address is in the log too: a closed standard output must not stop the server.
    let printed = if args.demo {
        super::output::line(format_args!(
            "{}",
            demo::banner(&format!("http://{address}/"))
        ))
    } else {
        super::output::line(format_args!("sensei is listening on http://{address}/"))
    };
    if let Err(error) = printed {
        tracing::debug!(%error, "could not print the address on standard output");
    }
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Says loudly when the database misses some of this release's migrations: the server still
/// starts (an operator may be mid-upgrade), but what those migrations add fails until they
/// run.
async fn warn_of_pending_migrations(database: &Database, url: &DatabaseUrl) {
    match database.pending_feature_migrations().await {
        Ok(pending) if pending.is_empty() => {}
        Ok(pending) => {
            tracing::warn!(
                database = %url,
                pending = %pending.join(", "),
                "the database has not run {} of this release's migrations: run `sensei migrate` \
                 on it (or start with --migrate); until then the pages and calls that need them \
                 fail",
                pending.len()
            );
        }
        Err(error) => tracing::warn!(%error, "could not check the database's migrations"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(["sensei", "serve"].iter().chain(args))
    }

    #[test]
    fn a_huge_dedup_window_is_a_cli_error_not_a_panic() {
        let error = parse(&["--dedup-window-secs", "9223372036854775807"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(error.to_string().contains("--dedup-window-secs"), "{error}");
        for bad in ["0", "-1", "604801", "-9223372036854775808"] {
            assert!(parse(&["--dedup-window-secs", bad]).is_err(), "{bad}");
        }
        let Command::Serve(args) = parse(&["--dedup-window-secs", "604800"]).unwrap().command
        else {
            panic!("not serve");
        };
        assert_eq!(args.dedup_window_secs, 604_800);
    }

    #[test]
    fn an_out_of_range_dedup_window_built_by_hand_is_an_error() {
        let Command::Serve(mut args) = parse(&[]).unwrap().command else {
            panic!("not serve");
        };
        args.dedup_window_secs = i64::MAX;
        assert!(args.app_config().is_err());
    }

    #[test]
    fn threshold_pool_size_and_timeout_are_range_checked() {
        for bad in ["0", "101", "-5", "4294967296"] {
            assert!(parse(&["--engagement-threshold", bad]).is_err(), "{bad}");
        }
        assert!(parse(&["--engagement-threshold", "1"]).is_ok());
        assert!(parse(&["--engagement-threshold", "100"]).is_ok());
        assert!(parse(&["--db-max-connections", "0"]).is_err());
        assert!(parse(&["--db-max-connections", "1"]).is_ok());
        assert!(parse(&["--db-timeout-ms", "0"]).is_err());
        assert!(parse(&["--db-timeout-ms", "18446744073709551616"]).is_err());
        assert!(parse(&["--db-timeout-ms", "1"]).is_ok());
    }
}
