//! `sensei webhook add URL [--events LIST] | list | remove ID | log`: manage webhook
//! endpoints on the database directly (as an operator).

use std::sync::Arc;

use clap::{Args, Subcommand};
use sensei_core::ports::SystemClock;
use sensei_core::services::{WebhookManager, WebhookService};
use sensei_core::{RetryPolicy, WebhookEndpointId};

use super::database::DatabaseArgs;
use super::CliResult;
use crate::webhooks::jitter::{new_secret, OsJitter};

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
/// When the database cannot be reached, or the input is refused (the message says why).
pub async fn run(args: WebhookArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    let service = WebhookService::new(
        Arc::new(database.webhooks()),
        Arc::new(SystemClock),
        Arc::new(OsJitter),
        RetryPolicy::default(),
    );
    let who = WebhookManager::Operator;
    match args.action {
        WebhookAction::Add { url, events } => {
            let created = service
                .add_endpoint(who, &url, &events, new_secret()?)
                .await?;
            println!(
                "added webhook endpoint {} for {} (events: {})",
                created.endpoint.id,
                created.endpoint.url.as_str(),
                created.endpoint.events
            );
            println!("signing secret (shown once; keep it with the receiver):");
            println!("{}", created.secret.as_str());
        }
        WebhookAction::List => {
            let endpoints = service.endpoints(who).await?;
            if endpoints.is_empty() {
                println!("no webhook endpoints");
            }
            for endpoint in endpoints {
                println!(
                    "{}\t{}\tevents={}\tsince {}",
                    endpoint.id,
                    endpoint.url.as_str(),
                    endpoint.events,
                    endpoint.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                );
            }
        }
        WebhookAction::Remove { id } => {
            service.remove_endpoint(who, id).await?;
            println!("removed webhook endpoint {id}");
        }
        WebhookAction::Log { limit } => {
            for entry in service.delivery_log(who, limit).await? {
                println!(
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
                );
            }
        }
    }
    Ok(())
}
