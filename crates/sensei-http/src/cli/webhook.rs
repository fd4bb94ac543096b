//! `sensei webhook add URL [--events LIST] | list | remove ID | log`: manage webhook
//! endpoints on the database directly (as an operator).

use std::sync::Arc;

use clap::{Args, Subcommand};
use sensei_core::ports::SystemClock;
use sensei_core::services::{CreatedEndpoint, WebhookManager, WebhookService};
use sensei_core::{AddressPolicy, AddressRange, RetryPolicy, WebhookEndpointId};

use super::database::DatabaseArgs;
use super::{output, CliResult};
use crate::webhooks::jitter::{new_secret, OsJitter};
use crate::webhooks::resolve::SystemResolver;

/// `sensei webhook ...`.
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// What to do.
    #[command(subcommand)]
    pub action: WebhookAction,
}

/// The webhook sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum WebhookAction {
    /// Add an endpoint; prints its signing secret, once.
    Add {
        /// Where to POST events (http:// or https://).
        url: String,
        /// Only these event types, comma-separated (booked, claimed, renewed, released,
        /// completed, cancelled); all by default.
        #[arg(long, default_value = "")]
        events: String,
        /// An address range the URL may point to besides public addresses (CIDR, e.g.
        /// 127.0.0.0/8; repeat the flag, or separate with commas). `serve` needs the same
        /// range to deliver there.
        #[arg(long, value_delimiter = ',')]
        webhook_allow: Vec<AddressRange>,
    },
    /// List the endpoints.
    List,
    /// Remove an endpoint, its waiting deliveries and its log.
    Remove {
        /// The endpoint's id (from `list`).
        id: WebhookEndpointId,
    },
    /// The latest delivery attempts, newest first.
    Log {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// Runs the sub-command.
///
/// # Errors
/// When the database cannot be reached, the input is refused, or standard output cannot be
/// written (the message says why; `add` then removes the endpoint again).
pub async fn run(args: WebhookArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    let service = WebhookService::new(
        Arc::new(database.webhooks()),
        Arc::new(SystemClock),
        Arc::new(OsJitter),
        RetryPolicy::default(),
    )
    .with_operator_name(super::user::operator_name());
    let who = WebhookManager::Operator;
    match args.action {
        WebhookAction::Add {
            url,
            events,
            webhook_allow,
        } => {
            let service = service.with_address_check(
                AddressPolicy::allowing(webhook_allow),
                Some(Arc::new(SystemResolver)),
            );
            add(&service, &url, &events).await?;
        }
        WebhookAction::List => {
            let endpoints = service.endpoints(who).await?;
            if endpoints.is_empty() {
                output::line(format_args!("no webhook endpoints"))?;
            }
            for endpoint in endpoints {
                output::line(format_args!(
                    "{}\t{}\tevents={}\tsince {}",
                    endpoint.id,
                    endpoint.url.masked(),
                    endpoint.events,
                    endpoint.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                ))?;
            }
        }
        WebhookAction::Remove { id } => {
            service.remove_endpoint(who, id).await?;
            output::line(format_args!("removed webhook endpoint {id}"))?;
        }
        WebhookAction::Log { limit } => {
            for entry in service.delivery_log(who, limit).await? {
                output::line(format_args!(
                    "{}\tendpoint {}\tevent {}\t{}\t{}\t{} ms\t{}",
                    entry.attempted_at.format("%Y-%m-%d %H:%M:%S%.3f UTC"),
                    entry.endpoint_id,
                    entry.event_id,
                    entry.outcome,
                    entry
                        .status
                        .map_or_else(|| "-".to_owned(), |status| status.to_string()),
                    entry.latency_ms,
                    entry.error.as_deref().unwrap_or("")
                ))?;
            }
        }
    }
    Ok(())
}

/// Adds an endpoint and prints its secret; removes it again when the secret could not be
/// printed.
///
/// The secret exists only in this output: an endpoint whose secret nobody saw signs
/// deliveries no receiver can check. So the add is insert, print, keep, with a compensating
/// removal when printing fails, rather than a pending endpoint confirmed after the print:
/// that needs an endpoint state the schema does not have, and the removal gives the same
/// end state (no endpoint) through the port that exists. Between the insert and the removal
/// (milliseconds) a running worker may post an event to the URL the operator named, signed
/// with the lost secret; the removal drops it and its log with the endpoint. "Printed"
/// means the operating system took the bytes: a reader that takes them and then drops them
/// (`| head -1` after its line) cannot be noticed.
async fn add(service: &WebhookService, url: &str, events: &str) -> CliResult {
    let who = WebhookManager::Operator;
    let created = service
        .add_endpoint(who, url, events, new_secret()?)
        .await?;
    let id = created.endpoint.id;
    let Err(shown) = show_created(&created) else {
        return Ok(());
    };
    match service.remove_endpoint(who, id).await {
        Ok(()) => Err(format!(
            "{shown}; the new endpoint's signing secret was not shown, so endpoint {id} was \
             removed again (nothing was saved): run the command again with standard output \
             going to a terminal or a file"
        )
        .into()),
        Err(removal) => Err(format!(
            "{shown}; the new endpoint's signing secret was not shown, and endpoint {id} could \
             not be removed again ({removal}): remove it with `sensei webhook remove {id}` \
             and add it anew"
        )
        .into()),
    }
}

/// The new endpoint and its secret, each line flushed.
fn show_created(created: &CreatedEndpoint) -> Result<(), output::OutputError> {
    output::line(format_args!(
        "added webhook endpoint {} for {} (events: {})",
        created.endpoint.id,
        created.endpoint.url.masked(),
        created.endpoint.events
    ))?;
    output::line(format_args!(
        "signing secret (shown once; keep it with the receiver):"
    ))?;
    output::line(format_args!("{}", created.secret.as_str()))
}
