//! The calendar feed: `POST /admin/calendar-link` makes an instructor's new secret link
//! (shown once; the previous one stops working), `GET /calendar/{token}.ics` serves the
//! feed to calendar apps, which send no cookie: the secret in the address is the only key.

use askama::Template;
use poem::http::{header, StatusCode};
use poem::web::{Data, Path};
use poem::{handler, Request, Response};

use super::html;
use super::layout::Nav;
use crate::auth::form::NoFields;
use crate::auth::{CheckedForm, Viewer};
use crate::calendar;
use crate::error::AppError;
use crate::state::AppState;

/// The page that shows a new feed link, once.
#[derive(Template)]
#[template(path = "calendar_link.html")]
pub struct CalendarLinkPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The feed's full address.
    pub feed_url: String,
}

/// The service's own address as the request reached it: `https` when the session cookie is
/// `Secure` (the service is behind TLS), else `http`, and the `Host` header when it is a
/// plain host name or address (anything else falls back to `localhost`).
pub fn site(req: &Request, secure: bool) -> String {
    let scheme = if secure { "https" } else { "http" };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]".contains(&byte))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// `POST /admin/calendar-link` (CSRF-checked form): a new feed link for the signed-in
/// instructor, shown on the page it answers with; students 403.
#[handler]
pub async fn new_link(
    viewer: Viewer,
    state: Data<&AppState>,
    req: &Request,
    _form: CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    let token = state
        .calendar
        .new_link(viewer.actor())
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    tracing::info!(
        instructor = viewer.account.id.get(),
        "calendar link replaced"
    );
    let page = CalendarLinkPage {
        nav: Nav::for_viewer(&viewer),
        feed_url: format!(
            "{}/calendar/{}.ics",
            site(req, state.security.cookie_secure),
            token.as_str()
        ),
    };
    html(&page, StatusCode::OK)
}

/// `GET /calendar/{token}.ics`: the feed as `text/calendar`; 404 for an address that is not
/// a current feed (malformed, unknown, or replaced by a newer link).
#[handler]
pub async fn feed(
    Path(file): Path<String>,
    state: Data<&AppState>,
    req: &Request,
) -> Result<Response, AppError> {
    let unknown = || AppError::from_domain(&sensei_core::CalendarError::UnknownFeed);
    let token = file.strip_suffix(".ics").ok_or_else(unknown)?;
    let feed = state
        .calendar
        .feed(token)
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let body = calendar::render(&feed, &site(req, state.security.cookie_secure));
    Ok(Response::builder()
        .status(StatusCode::OK)
        .content_type("text/calendar; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(body))
}
