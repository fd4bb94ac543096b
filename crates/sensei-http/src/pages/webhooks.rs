//! `GET /admin/webhooks` (instructors): the webhook endpoints, a form to add one, a remove
//! button each, and the latest delivery attempts; `POST /admin/webhooks` (`url`, `events`)
//! adds one and shows its secret once; `POST /admin/webhooks/{id}/remove` removes one.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::services::{CreatedEndpoint, WebhookManager};
use sensei_core::{AttemptLogEntry, WebhookEndpoint, WebhookEndpointId, MAX_WEBHOOK_URL_CHARS};
use serde::Deserialize;

use super::layout::Nav;
use super::{html, parse_id, see_other};
use crate::auth::{CheckedForm, NoFields, Viewer};
use crate::error::AppError;
use crate::presentation;
use crate::state::AppState;
use crate::webhooks::jitter::new_secret;

/// How many attempts the page lists.
pub const LOG_LINES: u32 = 50;

/// One endpoint row.
#[derive(Debug, Clone)]
pub struct EndpointRow {
    /// Its id.
    pub id: i32,
    /// Its URL.
    pub url: String,
    /// `all` or the event names.
    pub events: String,
    /// When it was added.
    pub since: String,
}

/// One delivery log row.
#[derive(Debug, Clone)]
pub struct LogRow {
    /// When.
    pub when: String,
    /// The endpoint.
    pub endpoint_id: i32,
    /// `#id booked`.
    pub event: String,
    /// `delivered`, `retry`, `failed`.
    pub outcome: String,
    /// The status code or `—`.
    pub status: String,
    /// How long it took.
    pub latency_ms: u32,
    /// Why it failed.
    pub error: String,
}

/// The secret of an endpoint just added.
#[derive(Debug, Clone)]
pub struct NewSecret {
    /// The endpoint's id.
    pub id: i32,
    /// The secret.
    pub secret: String,
}

/// The page.
#[derive(Template)]
#[template(path = "webhooks.html")]
pub struct WebhooksPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The endpoints.
    pub endpoints: Vec<EndpointRow>,
    /// The latest attempts.
    pub log: Vec<LogRow>,
    /// Set right after adding an endpoint.
    pub created: Option<NewSecret>,
    /// The forms' CSRF token.
    pub csrf_token: String,
    /// The URL's limit.
    pub url_max: usize,
}

fn endpoint_row(endpoint: &WebhookEndpoint) -> EndpointRow {
    EndpointRow {
        id: endpoint.id.get(),
        url: endpoint.url.masked(),
        events: endpoint.events.to_string(),
        since: presentation::datetime(&endpoint.created_at),
    }
}

fn log_row(entry: &AttemptLogEntry) -> LogRow {
    LogRow {
        when: entry
            .attempted_at
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        endpoint_id: entry.endpoint_id.get(),
        event: format!(
            "#{} {}",
            entry.event_id,
            entry.event_kind.map_or("?", |kind| kind.as_str())
        ),
        outcome: entry.outcome.clone(),
        status: entry
            .status
            .map_or_else(|| "—".to_owned(), |status| status.to_string()),
        latency_ms: entry.latency_ms,
        // Generic words only; the details stay in the log (`sensei webhook log`).
        error: entry.summary(),
    }
}

async fn render(
    viewer: &Viewer,
    state: &AppState,
    created: Option<CreatedEndpoint>,
) -> Result<Response, AppError> {
    let who = WebhookManager::User(viewer.actor());
    let endpoints = state
        .webhooks
        .endpoints(who)
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let log = state
        .webhooks
        .delivery_log(who, LOG_LINES)
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let page = WebhooksPage {
        nav: Nav::for_viewer(viewer),
        endpoints: endpoints.iter().map(endpoint_row).collect(),
        log: log.iter().map(log_row).collect(),
        created: created.map(|created| NewSecret {
            id: created.endpoint.id.get(),
            secret: created.secret.as_str().to_owned(),
        }),
        csrf_token: viewer.csrf_token.clone(),
        url_max: MAX_WEBHOOK_URL_CHARS,
    };
    html(&page, StatusCode::OK)
}

/// `GET /admin/webhooks`: instructors only (students 403, anonymous to `/login`).
#[handler]
pub async fn show(viewer: Viewer, state: Data<&AppState>) -> Result<Response, AppError> {
    render(&viewer, &state, None).await
}

/// The add form's fields.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    /// The endpoint's URL.
    #[serde(default)]
    pub url: String,
    /// Event names, comma-separated; empty for all.
    #[serde(default)]
    pub events: String,
}

/// `POST /admin/webhooks`: adds the endpoint and shows the page with its secret (200, not a
/// redirect, so the secret is never in a URL or a later page); 422 for a bad URL or event.
#[handler]
pub async fn add(
    viewer: Viewer,
    state: Data<&AppState>,
    CheckedForm(form): CheckedForm<AddForm>,
) -> Result<Response, AppError> {
    let secret = new_secret().map_err(AppError::internal)?;
    let created = state
        .webhooks
        .add_endpoint(
            WebhookManager::User(viewer.actor()),
            &form.url,
            &form.events,
            secret,
        )
        .await
        .map_err(|error| AppError::from_domain(&error).with_back("/admin/webhooks"))?;
    tracing::info!(
        endpoint = created.endpoint.id.get(),
        "webhook endpoint added"
    );
    render(&viewer, &state, Some(created)).await
}

/// `POST /admin/webhooks/{id}/remove`: 303 to `/admin/webhooks`; 404 unknown.
#[handler]
pub async fn remove(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(_): CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    let id: WebhookEndpointId = parse_id(&raw_id, "webhook endpoint")?;
    state
        .webhooks
        .remove_endpoint(WebhookManager::User(viewer.actor()), id)
        .await
        .map_err(|error| AppError::from_domain(&error).with_back("/admin/webhooks"))?;
    tracing::info!(endpoint = id.get(), "webhook endpoint removed");
    Ok(see_other("/admin/webhooks"))
}
