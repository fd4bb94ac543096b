//! `sensei user add | list | set-role | set-password | disable | enable | import | erase`:
//! manage accounts on the database directly (as an operator), through the core's
//! [`AccountService`]. Passwords come from a prompt or standard input, never a flag. Every
//! change is recorded with the operator as `cli:<OS user>`.

mod erase;
mod password_input;
mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use sensei_core::ports::SystemClock;
use sensei_core::services::{parse_role, AccountManager, AccountService};
use sensei_core::{PasswordFormat, Role};

use super::database::DatabaseArgs;
use super::CliResult;
use crate::import_csv as csv_rows;
use crate::passwords::{HashingWorkers, DEFAULT_MEMORY_BUDGET_MIB};

pub use csv_rows::MAX_IMPORT_ROWS;

/// How the record of changes names the operator: `cli:` and the OS user (`USER`, else
/// `LOGNAME`), or `cli` when neither is set.
pub fn operator_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .map(|user| user.trim().to_owned())
        .filter(|user| !user.is_empty())
        .map_or_else(|| "cli".to_owned(), |user| format!("cli:{user}"))
}

/// `sensei user ...`.
#[derive(Debug, Clone, Args)]
pub struct UserArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// What to do.
    #[command(subcommand)]
    pub action: UserAction,
}

/// How a new password is given and stored.
#[derive(Debug, Clone, Args)]
pub struct NewPasswordArgs {
    /// Read the password from the first line of standard input instead of prompting for it
    /// (for scripts: `printf '%s\n' "$PASSWORD" | sensei user add ...`).
    #[arg(long)]
    pub password_stdin: bool,
    /// How the hash is written: `argon2` (standalone), or `werkzeug-scrypt` (Werkzeug's
    /// `scrypt:32768:8:1$...`, for a database shared with the platform, so that its Flask
    /// code can check the password too).
    #[command(flatten)]
    pub format: PasswordFormatArg,
}

/// `--password-format`.
#[derive(Debug, Clone, Args)]
pub struct PasswordFormatArg {
    /// How new password hashes are written: `argon2` (standalone) or `werkzeug-scrypt` (on a
    /// database shared with the platform, so that its Flask code can check them too).
    #[arg(
        long = "password-format",
        env = "SENSEI_PASSWORD_FORMAT",
        value_parser = format_arg,
        default_value = "argon2"
    )]
    pub password_format: PasswordFormat,
}

/// The user sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum UserAction {
    /// Add an account; the password is prompted for twice (or read with --password-stdin).
    Add {
        /// The email (the login name); stored lower-case.
        email: String,
        /// student, instructor or admin.
        #[arg(long, value_parser = role_arg)]
        role: Role,
        /// The password.
        #[command(flatten)]
        password: NewPasswordArgs,
    },
    /// List every account: email, role, disabled since, created.
    List,
    /// Give an account another role (student, instructor or admin); it applies at once.
    SetRole {
        /// The account's email.
        email: String,
        /// The new role.
        #[arg(value_parser = role_arg)]
        role: Role,
    },
    /// Set an account's password (prompted for twice, or read with --password-stdin).
    SetPassword {
        /// The account's email.
        email: String,
        /// The password.
        #[command(flatten)]
        password: NewPasswordArgs,
    },
    /// Disable an account: it cannot sign in, and its sign-ins end now.
    Disable {
        /// The account's email.
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account's email.
        email: String,
    },
    /// Add the accounts of a CSV file with the header `email,role,password`; a bad row is
    /// reported with its line and the others are added (exit status 1 if any row failed).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// How the hashes are written.
        #[command(flatten)]
        format: PasswordFormatArg,
    },
    /// Erase a person (the answer to a deletion request): their email becomes
    /// erased-<id>@invalid, their notes and cancel reasons in sessions and audit events become
    /// "[erased]", their sign-ins end; recorded by id. Asks to type the email again unless
    /// --yes. Running it again changes nothing.
    Erase {
        /// The account's email.
        email: String,
        /// Do not ask for confirmation (scripts).
        #[arg(long)]
        yes: bool,
    },
}

fn role_arg(raw: &str) -> Result<Role, String> {
    parse_role(raw).map_err(|error| error.to_string())
}

fn format_arg(raw: &str) -> Result<PasswordFormat, String> {
    PasswordFormat::parse(raw)
        .ok_or_else(|| format!("unknown password format {raw:?}: use argon2 or werkzeug-scrypt"))
}

/// Runs the sub-command.
///
/// # Errors
/// When the database cannot be reached, the input is refused (the message says why), or a
/// row of an import failed.
pub async fn run(args: UserArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    // One hashing thread is plenty for one operator; a minute covers a slow machine.
    let workers = Arc::new(HashingWorkers::new(
        1,
        DEFAULT_MEMORY_BUDGET_MIB,
        Duration::from_secs(60),
    ));
    let service = AccountService::new(
        Arc::new(database.accounts()),
        workers,
        Arc::new(SystemClock),
    );
    let who = &AccountManager::Operator(operator_name());
    match args.action {
        UserAction::Add {
            email,
            role,
            password,
        } => {
            let secret = password_input::read_new_password(password.password_stdin).await?;
            let format = password.format.password_format;
            service.add(who, &email, role, secret, format).await?;
            report::line(&format!(
                "added {} ({}, password stored as {format})",
                sensei_core::normalize_email(&email),
                role.as_str()
            ))
        }
        UserAction::List => report::accounts(&service.list(who).await?),
        UserAction::SetRole { email, role } => {
            service.set_role(who, &email, role).await?;
            report::line(&format!(
                "{} is now {}",
                sensei_core::normalize_email(&email),
                role.as_str()
            ))
        }
        UserAction::SetPassword { email, password } => {
            let secret = password_input::read_new_password(password.password_stdin).await?;
            let format = password.format.password_format;
            service.set_password(who, &email, secret, format).await?;
            report::line(&format!(
                "set the password of {} (stored as {format})",
                sensei_core::normalize_email(&email)
            ))
        }
        UserAction::Disable { email } => {
            service.disable(who, &email).await?;
            report::line(&format!(
                "disabled {}: it cannot sign in, and its sign-ins have ended",
                sensei_core::normalize_email(&email)
            ))
        }
        UserAction::Enable { email } => {
            service.enable(who, &email).await?;
            report::line(&format!("enabled {}", sensei_core::normalize_email(&email)))
        }
        UserAction::Import { file, format } => {
            import(&service, who, file, format.password_format).await
        }
        UserAction::Erase { email, yes } => erase::run(&service, who, &email, yes).await,
    }
}

/// `sensei user import`: reads the file, adds each row, reports each failure by line and a
/// summary; fails when any row failed.
async fn import(
    service: &AccountService,
    who: &AccountManager,
    file: PathBuf,
    format: PasswordFormat,
) -> CliResult {
    let shown = file.display().to_string();
    let read = tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let opened =
            std::fs::File::open(&file).map_err(|error| format!("cannot open it: {error}"))?;
        let mut bytes = Vec::new();
        opened
            .take(csv_rows::MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("cannot read it: {error}"))?;
        if bytes.len() as u64 > csv_rows::MAX_IMPORT_BYTES {
            return Err(format!(
                "the file is larger than {} MiB: split it; nothing was imported",
                csv_rows::MAX_IMPORT_BYTES >> 20
            ));
        }
        csv_rows::read_rows(&bytes).map_err(|error| error.to_string())
    })
    .await?
    .map_err(|error| format!("{shown}: {error}"))?;
    let imported = service.import(who, read.rows, format).await?;
    report::import(&shown, &read.bad, &imported)
}
