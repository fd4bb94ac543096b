//! `GET /admin/accounts` (admins): the accounts, filtered by part of the email and by role,
//! paged by email; forms to add an account, give one a role or a password, disable or enable
//! it, and import a cohort from CSV text. Each change is a form post (CSRF-checked) that
//! redirects back with a confirmation, except the import, which shows its per-row results.
//! Access and the last-admin rule are the core's (`AccountService`); the page only renders.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::{Data, Query};
use poem::{handler, Response};
use sensei_core::ports::AccountQuery;
use sensei_core::services::{AccountManager, AccountService, ImportedRow};
use sensei_core::{AccountSummary, PasswordFormat, Role};
use serde::Deserialize;

use super::layout::Nav;
use super::{flash, html, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error::AppError;
use crate::import_csv::{read_rows, BadRow};
use crate::presentation;
use crate::state::AppState;

/// How many accounts one page lists.
pub const PAGE_SIZE: u32 = 50;

/// Where the page is.
const HERE: &str = "/admin/accounts";

/// One account row.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// The email (the forms' key).
    pub email: String,
    /// `student`, `instructor`, `admin`.
    pub role: &'static str,
    /// Whether it may sign in.
    pub enabled: bool,
    /// When it was disabled, or `—`.
    pub disabled: String,
    /// When it was created, or `—`.
    pub created: String,
}

/// One row of an import's report.
#[derive(Debug, Clone)]
pub struct ImportLine {
    /// The line in the pasted text.
    pub line: u64,
    /// `added` or why not.
    pub outcome: String,
    /// Whether it was added.
    pub added: bool,
}

/// The page.
#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    /// The header.
    pub nav: Option<Nav>,
    /// This page's accounts.
    pub accounts: Vec<AccountRow>,
    /// The email filter as typed.
    pub email_filter: String,
    /// The role filter (`""` for all).
    pub role_filter: String,
    /// The next page's link, when this one is full.
    pub next_page: Option<String>,
    /// The roles, for the selects.
    pub roles: Vec<&'static str>,
    /// The stored password formats, for the selects.
    pub formats: Vec<&'static str>,
    /// The last import's report, right after one.
    pub imported: Option<Vec<ImportLine>>,
    /// The forms' CSRF token.
    pub csrf_token: String,
}

/// The page's query: `email` (part of it), `role`, `after` (the last email of the previous
/// page).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Part of the email.
    #[serde(default)]
    pub email: String,
    /// A role, or empty for all.
    #[serde(default)]
    pub role: String,
    /// The keyset cursor.
    #[serde(default)]
    pub after: String,
}

fn service(state: &AppState) -> Result<&AccountService, AppError> {
    state.accounts.as_ref().ok_or_else(|| {
        AppError::from_domain(&sensei_core::AccountError::Repository(
            sensei_core::RepositoryError::Unavailable(
                "account management is not configured in this process".to_owned(),
            ),
        ))
    })
}

fn manager(viewer: &Viewer) -> AccountManager {
    AccountManager::User(viewer.actor())
}

fn domain(error: &sensei_core::AccountError) -> AppError {
    AppError::from_domain(error).with_back(HERE)
}

fn row(summary: &AccountSummary) -> AccountRow {
    AccountRow {
        email: summary.account.email.clone(),
        role: summary.account.role.as_str(),
        enabled: summary.disabled_at.is_none(),
        disabled: summary
            .disabled_at
            .as_ref()
            .map_or_else(|| presentation::NONE.to_owned(), presentation::datetime),
        created: summary
            .created_at
            .as_ref()
            .map_or_else(|| presentation::NONE.to_owned(), presentation::datetime),
    }
}

async fn render(
    viewer: &Viewer,
    state: &AppState,
    params: ListParams,
    imported: Option<Vec<ImportLine>>,
) -> Result<Response, AppError> {
    let role = match params.role.trim() {
        "" => None,
        raw => Some(Role::parse(raw).ok_or_else(|| {
            AppError::bad_request(format!(
                "unknown role {raw:?}: use student, instructor or admin"
            ))
        })?),
    };
    let email = sensei_core::normalize_email(&params.email);
    let query = AccountQuery {
        email_contains: Some(email.clone()).filter(|email| !email.is_empty()),
        role,
        after_email: Some(params.after.clone()).filter(|after| !after.is_empty()),
    };
    let listed = service(state)?
        .page(&manager(viewer), &query, PAGE_SIZE)
        .await
        .map_err(|error| domain(&error))?;
    let next_page = (listed.len() == PAGE_SIZE as usize)
        .then(|| listed.last())
        .flatten()
        .and_then(|last| {
            serde_urlencoded::to_string([
                ("email", email.as_str()),
                ("role", role.map_or("", Role::as_str)),
                ("after", last.account.email.as_str()),
            ])
            .ok()
        })
        .map(|query| format!("{HERE}?{query}"));
    let page = AccountsPage {
        nav: Nav::for_viewer(viewer),
        accounts: listed.iter().map(row).collect(),
        email_filter: email,
        role_filter: role.map_or("", Role::as_str).to_owned(),
        next_page,
        roles: Role::ALL.iter().map(|role| role.as_str()).collect(),
        formats: PasswordFormat::ALL
            .iter()
            .map(|format| format.as_str())
            .collect(),
        imported,
        csrf_token: viewer.csrf_token.clone(),
    };
    html(&page, StatusCode::OK)
}

/// `GET /admin/accounts`: admins only (instructors and students 403, anonymous to
/// `/login`); 400 for an unknown role filter.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    render(&viewer, &state, params, None).await
}

fn role_field(raw: &str) -> Result<Role, AppError> {
    sensei_core::services::parse_role(raw).map_err(|error| domain(&error))
}

fn format_field(raw: &str) -> Result<PasswordFormat, AppError> {
    match raw.trim() {
        "" => Ok(PasswordFormat::Argon2),
        raw => PasswordFormat::parse(raw).ok_or_else(|| {
            AppError::bad_request(format!(
                "unknown password format {raw:?}: use argon2 or werkzeug-scrypt"
            ))
        }),
    }
}

/// `POST /admin/accounts`: adds the account; 303 back with a confirmation; 422 for a bad
/// email or password, 409 for a taken email.
#[handler]
pub async fn add(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<AccountForm>,
) -> Result<Response, AppError> {
    let role = role_field(&form.role)?;
    let format = format_field(&form.format)?;
    let email = sensei_core::normalize_email(&form.email);
    service(&state)?
        .add(&manager(&viewer), &email, role, form.password, format)
        .await
        .map_err(|error| domain(&error))?;
    flash::set(session, &format!("Added {email} as {}.", role.as_str()));
    Ok(see_other(HERE))
}

/// The forms that name one account (and the add form, which has the same fields).
#[derive(Debug, Deserialize)]
pub struct AccountForm {
    /// The account's email.
    #[serde(default)]
    pub email: String,
    /// The new role (role form).
    #[serde(default)]
    pub role: String,
    /// The new password (password form).
    #[serde(default)]
    pub password: String,
    /// How the hash is stored (password form).
    #[serde(default)]
    pub format: String,
}

/// `POST /admin/accounts/role`: 303 back; 422 when it would demote the last enabled admin.
#[handler]
pub async fn set_role(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<AccountForm>,
) -> Result<Response, AppError> {
    let role = role_field(&form.role)?;
    let email = sensei_core::normalize_email(&form.email);
    service(&state)?
        .set_role(&manager(&viewer), &email, role)
        .await
        .map_err(|error| domain(&error))?;
    flash::set(session, &format!("{email} is now {}.", role.as_str()));
    Ok(see_other(HERE))
}

/// `POST /admin/accounts/password`: 303 back; 422 for a password the rules refuse.
#[handler]
pub async fn set_password(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<AccountForm>,
) -> Result<Response, AppError> {
    let format = format_field(&form.format)?;
    let email = sensei_core::normalize_email(&form.email);
    service(&state)?
        .set_password(&manager(&viewer), &email, form.password, format)
        .await
        .map_err(|error| domain(&error))?;
    flash::set(session, &format!("Set the password of {email}."));
    Ok(see_other(HERE))
}

/// `POST /admin/accounts/disable`: 303 back; 422 for the last enabled admin.
#[handler]
pub async fn disable(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<AccountForm>,
) -> Result<Response, AppError> {
    let email = sensei_core::normalize_email(&form.email);
    service(&state)?
        .disable(&manager(&viewer), &email)
        .await
        .map_err(|error| domain(&error))?;
    flash::set(
        session,
        &format!("Disabled {email}: it cannot sign in, and its sign-ins have ended."),
    );
    Ok(see_other(HERE))
}

/// `POST /admin/accounts/enable`: 303 back.
#[handler]
pub async fn enable(
    viewer: Viewer,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<AccountForm>,
) -> Result<Response, AppError> {
    let email = sensei_core::normalize_email(&form.email);
    service(&state)?
        .enable(&manager(&viewer), &email)
        .await
        .map_err(|error| domain(&error))?;
    flash::set(session, &format!("Enabled {email}."));
    Ok(see_other(HERE))
}

/// The import form's fields.
#[derive(Debug, Deserialize)]
pub struct ImportForm {
    /// The CSV text: a header `email,role,password`, then one account a line.
    #[serde(default)]
    pub csv: String,
    /// How the hashes are stored.
    #[serde(default)]
    pub format: String,
}

fn report(bad: &[BadRow], imported: &[ImportedRow]) -> Vec<ImportLine> {
    let mut lines: Vec<ImportLine> = bad
        .iter()
        .map(|row| ImportLine {
            line: row.line,
            outcome: row.reason.clone(),
            added: false,
        })
        .chain(imported.iter().map(|row| ImportLine {
            line: row.line,
            outcome: match &row.outcome {
                Ok(_) => "added".to_owned(),
                Err(error) => error.to_string(),
            },
            added: row.outcome.is_ok(),
        }))
        .collect();
    lines.sort_by_key(|line| line.line);
    lines
}

/// `POST /admin/accounts/import`: adds each row on its own and shows the page with a result
/// per row (200); 400 when the header is wrong (nothing imported). The form's size limit
/// bounds a paste; larger cohorts go through `sensei user import`.
#[handler]
pub async fn import(
    viewer: Viewer,
    state: Data<&AppState>,
    CheckedForm(form): CheckedForm<ImportForm>,
) -> Result<Response, AppError> {
    let format = format_field(&form.format)?;
    let read = read_rows(form.csv.as_bytes())
        .map_err(|error| AppError::bad_request(error.to_string()).with_back(HERE))?;
    let imported = service(&state)?
        .import(&manager(&viewer), read.rows, format)
        .await
        .map_err(|error| domain(&error))?;
    let lines = report(&read.bad, &imported);
    let added = lines.iter().filter(|line| line.added).count();
    tracing::info!(added, rows = lines.len(), "accounts imported on the page");
    render(&viewer, &state, ListParams::default(), Some(lines)).await
}
