//! `sensei token create --user EMAIL [--expires 90d] [--name NAME] | list [--user EMAIL] |
//! revoke ID`: manage API tokens on the database directly (as an operator).
//!
//! `create` prints the token alone on standard output (so `$(sensei token create ...)`
//! captures just it) and everything else on standard error; the token is shown this once:
//! the database keeps only its digest.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use sensei_core::ports::SystemClock;
use sensei_core::services::{ApiTokenService, CreatedApiToken, TokenManager};
use sensei_core::{ApiTokenId, ApiTokenLifetime, ApiTokenRecord};

use super::database::DatabaseArgs;
use super::user::operator_name;
use super::{output, CliResult};
use crate::calendar::OsRandom;

/// `sensei token ...`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// The token sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Make a token acting as the account; prints it once, alone, on standard output.
    Create {
        /// The account's email: the token carries its permissions.
        #[arg(long)]
        user: String,
        /// How long the token works, in days (e.g. 30d; at most 365d).
        #[arg(long, default_value = "90d", value_parser = parse_lifetime)]
        expires: ApiTokenLifetime,
        /// A name to tell it apart (e.g. "nightly export"; at most 100 characters).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens, newest first (never the secrets): id, name, owner, dates, status.
    List {
        /// Only this account's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's id (from `list`).
        id: ApiTokenId,
    },
}

fn parse_lifetime(raw: &str) -> Result<ApiTokenLifetime, String> {
    ApiTokenLifetime::parse(raw).map_err(|error| error.to_string())
}

/// Runs the sub-command.
///
/// # Errors
/// When the database cannot be reached, the input is refused, or standard output cannot be
/// written (the message says why; `create` then revokes the token it could not show).
pub async fn run(args: TokenArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    let service = ApiTokenService::new(
        Arc::new(database.api_tokens()),
        Arc::new(database.accounts()),
        Arc::new(OsRandom),
        Arc::new(SystemClock),
    );
    let operator = TokenManager::Operator(operator_name());
    match args.action {
        TokenAction::Create {
            user,
            expires,
            name,
        } => {
            let (owner, created) = service
                .create_for_email(operator.clone(), &user, &name, expires)
                .await?;
            output::error_line(format_args!(
                "created API token {} for {} ({}), expires {}; it is shown once, below:",
                created.id,
                owner.email,
                owner.role.as_str(),
                when(created.expires_at)
            ));
            show_or_revoke(&service, &created, operator).await?;
        }
        TokenAction::List { user } => {
            let owner = match user {
                Some(email) => Some(service.owner_by_email(&email).await?.id),
                None => None,
            };
            let listed = service.list(operator.clone(), owner).await?;
            if listed.tokens.is_empty() {
                output::error_line(format_args!("no API tokens"));
            } else {
                output::line(format_args!(
                    "id\tname\towner\tcreated\texpires\tlast used\tstatus"
                ))?;
            }
            for token in &listed.tokens {
                output::line(format_args!("{}", row(token, listed.as_of)))?;
            }
        }
        TokenAction::Revoke { id } => {
            service.revoke(operator, id).await?;
            output::error_line(format_args!("revoked API token {id}"));
        }
    }
    Ok(())
}

/// Prints the token; when it cannot be printed, nobody has it, so it is revoked again.
async fn show_or_revoke(
    service: &ApiTokenService,
    created: &CreatedApiToken,
    operator: TokenManager,
) -> CliResult {
    let Err(shown) = output::line(format_args!("{}", created.token.as_str())) else {
        return Ok(());
    };
    let id = created.id;
    match service.revoke(operator, id).await {
        Ok(()) => Err(format!(
            "{shown}; the new token was not shown, so token {id} was revoked again: run the \
             command again with standard output going to a terminal, a file or a variable"
        )
        .into()),
        Err(revoke) => Err(format!(
            "{shown}; the new token was not shown, and token {id} could not be revoked \
             ({revoke}): run `sensei token revoke {id}`"
        )
        .into()),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One listed token, tab-separated; the name's tabs cannot break the columns (names hold
/// no control characters).
fn row(token: &ApiTokenRecord, now: DateTime<Utc>) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        token.id,
        if token.name.as_str().is_empty() {
            "-"
        } else {
            token.name.as_str()
        },
        token.owner_email,
        when(token.created_at),
        when(token.expires_at),
        token.last_used_at.map_or_else(|| "never".to_owned(), when),
        token.status_at(now).as_str()
    )
}
