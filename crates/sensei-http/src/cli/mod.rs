//! The `sensei` command line: one module per sub-command. To add a sub-command, add its
//! module with an `Args` struct and a `run` function, and one variant to [`Command`].

pub mod backup;
pub mod database;
pub mod email_args;
pub mod generate;
pub mod migrate;
pub mod output;
pub mod serve;
pub mod token;
pub mod user;
pub mod webhook;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::telemetry::LogFormat;

/// What a sub-command returns.
pub type CliResult = Result<(), CliResultError>;

/// The error of a sub-command: anything printable.
pub type CliResultError = Box<dyn std::error::Error + Send + Sync>;

/// `sensei`: the sensei scheduling service.
#[derive(Debug, Parser)]
#[command(
    name = "sensei",
    version,
    about = "Sensei scheduling: book and run one-to-one sensei sessions",
    after_help = "Also read from the environment: RUST_LOG (log filter, default `info`, e.g. \
                  `warn,sensei_http=debug`) and NO_COLOR (no coloured text logs). \
                  See docs/configuration.md."
)]
pub struct Cli {
    /// How log lines (on stderr) are written: `text` for people, `json` (one object per line,
    /// with the request id) for log collectors.
    #[arg(
        long,
        global = true,
        env = "SENSEI_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    /// The sub-command.
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTML pages, the JSON API (/api/v1, reference at /api/v1/docs), health checks
    /// and Prometheus metrics over HTTP.
    // Boxed: serve's flags outweigh every other sub-command's (clippy's large_enum_variant).
    Serve(Box<serve::ServeArgs>),
    /// Apply the database migrations that have not run yet.
    Migrate(migrate::MigrateArgs),
    /// Fill a database with a large generated data set (benchmarks).
    Generate(generate::GenerateArgs),
    /// Copy a SQLite database into a new file while the service runs (PostgreSQL: use
    /// pg_dump).
    Backup(backup::BackupArgs),
    /// Manage webhook endpoints: `add URL [--events LIST]` (prints the signing secret once),
    /// `list`, `remove ID`, `log`.
    Webhook(webhook::WebhookArgs),
    /// Manage accounts: `add EMAIL --role ROLE`, `list`, `set-role`, `set-password`,
    /// `disable`, `enable`, `import FILE.csv` (passwords prompted for or read with
    /// --password-stdin, never a flag), `erase EMAIL` (a deletion request).
    User(user::UserArgs),
    /// Manage API tokens (`Authorization: Bearer` on /api/v1): `create --user EMAIL
    /// [--expires 90d] [--name NAME]` (prints the token once), `list [--user EMAIL]`,
    /// `revoke ID`.
    Token(token::TokenArgs),
}

impl Command {
    async fn run(self) -> CliResult {
        match self {
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(args) => migrate::run(args).await,
            Command::Generate(args) => generate::run(args).await,
            Command::Backup(args) => backup::run(args).await,
            Command::Webhook(args) => webhook::run(args).await,
            Command::User(args) => user::run(args).await,
            Command::Token(args) => token::run(args).await,
        }
    }
}

/// Parses the command line, runs the sub-command on a multi-threaded runtime, and turns the
/// outcome into the process's exit code (0 on success and after a clean shutdown).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.log_format;
    crate::telemetry::init(format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            report(format, &format!("cannot start the async runtime: {error}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli.command.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(format, &error.to_string());
            ExitCode::FAILURE
        }
    }
}

/// Says once, on stderr, why the command failed: as a log record for log collectors
/// (`--log-format json`), as a plain `error: ...` line for people (text).
fn report(format: LogFormat, error: &str) {
    match format {
        LogFormat::Json => tracing::error!(error, "sensei stopped with an error"),
        LogFormat::Text => output::error_line(format_args!("error: {error}")),
    }
}
