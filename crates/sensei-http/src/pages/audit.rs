//! `GET /admin/audit` (admins): who changed what — changes to accounts, roles, tokens and
//! webhook endpoints, newest first, in keyset pages (`?before=ID`). The record holds ids;
//! the page shows each account's current email (an erased one reads `erased-<id>@invalid`).

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{handler, Response};
use sensei_core::services::AccountManager;
use sensei_core::{AccountChangeKind, ChangeActor, RecordedChange};
use serde::Deserialize;

use super::layout::Nav;
use super::{html, parse_id};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::presentation;
use crate::state::AppState;

/// How many changes one page lists.
pub const PAGE_SIZE: u32 = 50;

/// One change as listed.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    /// When.
    pub when: String,
    /// Who: an email, or the operator's name.
    pub who: String,
    /// What, in words.
    pub what: &'static str,
    /// The account it concerns, or the endpoint or token.
    pub subject: String,
    /// The short detail, or `—`.
    pub detail: String,
}

/// The page.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    /// The header.
    pub nav: Option<Nav>,
    /// This page's changes.
    pub changes: Vec<ChangeRow>,
    /// The link to older changes, when this page is full.
    pub older: Option<String>,
}

/// The page's query: `before` (the oldest id of the previous page).
#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    /// The keyset cursor.
    #[serde(default)]
    pub before: String,
}

/// A change kind in words.
pub fn kind_label(kind: AccountChangeKind) -> &'static str {
    match kind {
        AccountChangeKind::AccountAdded => "Account added",
        AccountChangeKind::AccountImported => "Account imported",
        AccountChangeKind::RoleChanged => "Role changed",
        AccountChangeKind::PasswordSet => "Password set",
        AccountChangeKind::Disabled => "Account disabled",
        AccountChangeKind::Enabled => "Account enabled",
        AccountChangeKind::Erased => "Person erased",
        AccountChangeKind::WebhookEndpointAdded => "Webhook endpoint added",
        AccountChangeKind::WebhookEndpointRemoved => "Webhook endpoint removed",
        AccountChangeKind::TokenCreated => "API token created",
        AccountChangeKind::TokenRevoked => "API token revoked",
    }
}

fn row(change: &RecordedChange) -> ChangeRow {
    let who = match (&change.actor, &change.actor_email) {
        (ChangeActor::User(_), Some(email)) => email.clone(),
        (ChangeActor::User(user), None) => format!("user {}", user.0),
        (ChangeActor::Operator(name), _) => format!("{name} (command line)"),
    };
    let subject = match (change.subject_user, &change.subject_email, change.object_id) {
        (Some(_), Some(email), _) => email.clone(),
        (Some(user), None, _) => format!("user {}", user.0),
        (None, _, Some(object)) => format!("endpoint {object}"),
        (None, _, None) => presentation::NONE.to_owned(),
    };
    let subject = match (change.kind, change.object_id) {
        (AccountChangeKind::TokenCreated | AccountChangeKind::TokenRevoked, Some(token)) => {
            format!("{subject}, token {token}")
        }
        _ => subject,
    };
    ChangeRow {
        when: presentation::datetime(&change.occurred_at),
        who,
        what: kind_label(change.kind),
        subject,
        detail: change
            .detail
            .clone()
            .unwrap_or_else(|| presentation::NONE.to_owned()),
    }
}

/// `GET /admin/audit`: admins only (instructors and students 403, anonymous to `/login`);
/// 400 for a malformed cursor.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Query(params): Query<AuditParams>,
) -> Result<Response, AppError> {
    let before: Option<i64> = match params.before.trim() {
        "" => None,
        raw => Some(parse_id(raw, "change")?),
    };
    let service = state.accounts.as_ref().ok_or_else(|| {
        AppError::from_domain(&sensei_core::AccountError::Repository(
            sensei_core::RepositoryError::Unavailable(
                "account management is not configured in this process".to_owned(),
            ),
        ))
    })?;
    let changes = service
        .changes(&AccountManager::User(viewer.actor()), before, PAGE_SIZE)
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let older = (changes.len() == PAGE_SIZE as usize)
        .then(|| changes.last())
        .flatten()
        .map(|last| format!("/admin/audit?before={}", last.id));
    let page = AuditPage {
        nav: Nav::for_viewer(&viewer),
        changes: changes.iter().map(row).collect(),
        older,
    };
    html(&page, StatusCode::OK)
}
