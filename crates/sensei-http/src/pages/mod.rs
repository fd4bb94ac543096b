//! The HTML pages (listed in `docs/architecture.md`), one module per area, and the route table.

pub mod admin;
pub mod api_tokens;
pub mod assets;
pub mod booking;
pub mod calendar;
pub mod claim_actions;
pub mod conversations;
pub mod dashboard_desk;
pub mod dashboard_read;
pub mod email_links;
pub mod error_page;
pub mod export;
pub mod flash;

pub mod health;
pub mod history;
pub mod home;
pub mod layout;
pub mod login;
pub mod my_challenges;
pub mod my_sessions;
pub mod preferences;
pub mod session_detail;
pub mod student;
pub mod webhooks;
// Admins: accounts and who changed what.
pub mod accounts;
pub mod audit;

use std::str::FromStr;

use askama::Template;
use poem::http::{header, StatusCode};
use poem::{get, post, Response, Route};

use crate::error::AppError;

/// Every page route (without middleware; see [`crate::startup::build_router`]).
pub fn routes() -> Route {
    Route::new()
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/static/style.css", get(assets::stylesheet))
        .at("/static/live.js", get(assets::live_script))
        .at("/favicon.ico", get(assets::favicon))
        .at("/login", get(login::show).post(login::submit))
        .at("/logout", post(login::logout))
        .at(
            "/unsubscribe/:secret",
            get(email_links::unsubscribe_form).post(email_links::unsubscribe),
        )
        .at(
            "/password-reset",
            get(email_links::request_form).post(email_links::request),
        )
        .at(
            "/password-reset/:secret",
            get(email_links::new_password_form).post(email_links::set_password),
        )
        .at("/", get(home::home))
        .at("/submissions", get(student::list))
        .at("/submissions/:id", get(student::show))
        .at("/submissions/:id/schedule", post(booking::schedule))
        .at("/admin", get(admin::dashboard))
        .at("/admin/scheduled-sessions/:id", get(session_detail::show))
        .at(
            "/admin/scheduled-sessions/:id/complete",
            post(session_detail::complete),
        )
        .at(
            "/admin/scheduled-sessions/:id/claim",
            post(session_detail::claim),
        )
        .at(
            "/admin/scheduled-sessions/:id/renew",
            post(session_detail::renew),
        )
        .at(
            "/admin/scheduled-sessions/:id/release",
            post(session_detail::release),
        )
        .at(
            my_challenges::PATH,
            get(my_challenges::show).post(my_challenges::save),
        )
        .at("/admin/history", get(history::show))
        .at("/admin/export.csv", get(export::csv))
        .at("/admin/calendar-link", post(calendar::new_link))
        .at("/calendar/:file", get(calendar::feed))
        .at("/admin/webhooks", get(webhooks::show).post(webhooks::add))
        .at("/admin/webhooks/:id/remove", post(webhooks::remove))
        .at("/admin/accounts", get(accounts::show).post(accounts::add))
        .at("/admin/accounts/role", post(accounts::set_role))
        .at("/admin/accounts/password", post(accounts::set_password))
        .at("/admin/accounts/disable", post(accounts::disable))
        .at("/admin/accounts/enable", post(accounts::enable))
        .at("/admin/accounts/import", post(accounts::import))
        .at("/admin/audit", get(audit::show))
        .at(
            api_tokens::PATH,
            get(api_tokens::show).post(api_tokens::create),
        )
        .at("/account/tokens/:id/revoke", post(api_tokens::revoke))
        .at("/sessions", get(my_sessions::list))
        .at("/sessions/:id/cancel", post(my_sessions::cancel))
        .at(
            "/admin/submissions/:id/conversations",
            get(conversations::show),
        )
        .at(
            preferences::PATH,
            get(preferences::show).post(preferences::save),
        )
}

/// Renders a page with a status. Pages are personal, so they are never cached.
///
/// # Errors
/// [`AppError::internal`] if the template fails to render.
pub fn html(page: &impl Template, status: StatusCode) -> Result<Response, AppError> {
    let body = page
        .render()
        .map_err(|error| AppError::internal(format!("template: {error}")))?;
    Ok(Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(body))
}

/// A 303 redirect.
pub fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .finish()
}

/// Parses an id from a path segment.
///
/// # Errors
/// [`AppError::BadRequest`] when it is not a whole number.
pub fn parse_id<T: FromStr>(raw: &str, what: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::bad_id(what, raw))
}
