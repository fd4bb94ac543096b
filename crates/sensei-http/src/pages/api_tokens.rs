//! `GET /account/tokens` (instructors and admins): their own API tokens, a form to make one
//! and a revoke button each; `POST /account/tokens` (`name`, `expires_days`) makes one and
//! shows it once; `POST /account/tokens/{id}/revoke` revokes one. Students get 403 (their
//! tokens come from an operator). Tokens work on the JSON API only, never on these pages.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::services::{CreatedApiToken, TokenManager};
use sensei_core::{
    ApiTokenId, ApiTokenLifetime, ApiTokenRecord, DEFAULT_API_TOKEN_DAYS, MAX_API_TOKEN_NAME_CHARS,
};
use serde::Deserialize;

use super::layout::Nav;
use super::{flash, html, parse_id, see_other};
use crate::auth::{CheckedForm, NoFields, Viewer};
use crate::error::AppError;
use crate::state::AppState;
use crate::zone::ViewerZone;

/// Where the page lives.
pub const PATH: &str = "/account/tokens";

/// The lifetimes the form offers, in days.
pub const LIFETIME_CHOICES: [i64; 5] = [7, 30, 90, 180, 365];

/// One token row (never its secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Its id.
    pub id: i32,
    /// Its name, or `—`.
    pub name: String,
    /// When it was made.
    pub created: String,
    /// When it expires.
    pub expires: String,
    /// When it was last used, or `never`.
    pub last_used: String,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
    /// Whether it can still be revoked.
    pub active: bool,
}

/// A token just made: shown this once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its id.
    pub id: i32,
    /// The token.
    pub token: String,
    /// When it expires.
    pub expires: String,
}

/// The page.
#[derive(Template)]
#[template(path = "api_tokens.html")]
pub struct ApiTokensPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The viewer's tokens, newest first.
    pub tokens: Vec<TokenRow>,
    /// Set right after making one.
    pub created: Option<NewToken>,
    /// The forms' CSRF token.
    pub csrf_token: String,
    /// The name's limit.
    pub name_max: usize,
    /// The lifetimes offered, in days, and whether each is the default.
    pub lifetimes: Vec<(i64, bool)>,
}

fn row(token: &ApiTokenRecord, now: chrono::DateTime<chrono::Utc>, zone: ViewerZone) -> TokenRow {
    let status = token.status_at(now);
    TokenRow {
        id: token.id.get(),
        name: if token.name.as_str().is_empty() {
            "—".to_owned()
        } else {
            token.name.as_str().to_owned()
        },
        created: zone.datetime(&token.created_at),
        expires: zone.datetime(&token.expires_at),
        last_used: token
            .last_used_at
            .as_ref()
            .map_or_else(|| "never".to_owned(), |at| zone.datetime(at)),
        status: status.as_str(),
        active: status == sensei_core::ApiTokenStatus::Active,
    }
}

async fn render(
    viewer: &Viewer,
    state: &AppState,
    created: Option<CreatedApiToken>,
) -> Result<Response, AppError> {
    let tokens = state
        .tokens
        .list(TokenManager::Owner(viewer.actor()), Some(viewer.account.id))
        .await?;
    let now = tokens.as_of;
    let page = ApiTokensPage {
        nav: Nav::for_viewer(viewer),
        tokens: tokens
            .tokens
            .iter()
            .map(|token| row(token, now, viewer.zone))
            .collect(),
        created: created.map(|created| NewToken {
            id: created.id.get(),
            token: created.token.as_str().to_owned(),
            expires: viewer.zone.datetime_with_utc(&created.expires_at),
        }),
        csrf_token: viewer.csrf_token.clone(),
        name_max: MAX_API_TOKEN_NAME_CHARS,
        lifetimes: LIFETIME_CHOICES
            .iter()
            .map(|days| (*days, *days == DEFAULT_API_TOKEN_DAYS))
            .collect(),
    };
    html(&page, StatusCode::OK)
}

/// `GET /account/tokens`: instructors and admins (students 403, anonymous to `/login`).
#[handler]
pub async fn show(viewer: Viewer, state: Data<&AppState>) -> Result<Response, AppError> {
    render(&viewer, &state, None).await
}

/// The create form's fields.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    /// The token's name.
    #[serde(default)]
    pub name: String,
    /// Its lifetime in days (as text: a bad value is a 422 with a message, not a 400).
    #[serde(default)]
    pub expires_days: String,
}

/// `POST /account/tokens`: makes a token for the viewer and shows the page with it (200,
/// not a redirect, so the token is never in a URL or a later page); 422 for a bad name or
/// lifetime.
#[handler]
pub async fn create(
    viewer: Viewer,
    state: Data<&AppState>,
    CheckedForm(form): CheckedForm<CreateForm>,
) -> Result<Response, AppError> {
    let refused = |error: sensei_core::ApiTokenError| AppError::from(error).with_back(PATH);
    let lifetime = if form.expires_days.trim().is_empty() {
        ApiTokenLifetime::default()
    } else {
        ApiTokenLifetime::parse(&form.expires_days).map_err(|error| refused(error.into()))?
    };
    let created = state
        .tokens
        .create(
            TokenManager::Owner(viewer.actor()),
            viewer.account.id,
            &form.name,
            lifetime,
        )
        .await
        .map_err(refused)?;
    tracing::info!(token = created.id.get(), "API token created on the page");
    render(&viewer, &state, Some(created)).await
}

/// `POST /account/tokens/{id}/revoke`: 303 to the page with a confirmation; 404 for a
/// token that is not the viewer's (or not live).
#[handler]
pub async fn revoke(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    Path(raw_id): Path<String>,
    CheckedForm(_): CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    let id: ApiTokenId = parse_id(&raw_id, "API token")?;
    state
        .tokens
        .revoke(TokenManager::Owner(viewer.actor()), id)
        .await
        .map_err(|error| AppError::from(error).with_back(PATH))?;
    tracing::info!(token = id.get(), "API token revoked on the page");
    flash::set(session, &format!("API token {id} revoked."));
    Ok(see_other(PATH))
}
