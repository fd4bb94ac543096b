//! The CSV export in the API: `GET /api/v1/scheduled-sessions.csv`, and the list's own
//! address `GET /api/v1/scheduled-sessions` when the request's `Accept` header names
//! `text/csv`. Same filters, rows and access as the pages' `/admin/export.csv` (see
//! [`crate::export`]); errors in the API's JSON shape (401 when nobody is signed in).

use poem::http::{header, Method};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::require_user;
use crate::auth::viewer::request_state;
use crate::error::AppError;
use crate::export::{csv_response, parse_filters};

/// The list's address within the API (the router strips `/api/v1`), whose
/// `Accept: text/csv` requests are answered with the export.
const LIST_PATH: &str = "/scheduled-sessions";

/// The export's own address.
pub const CSV_PATH: &str = "/scheduled-sessions.csv";

/// Whether an `Accept` header names `text/csv` (with a weight above zero).
pub fn accepts_csv(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let essence = parts.next().unwrap_or_default();
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|weight| weight.parse::<f32>().ok())
                    .is_some_and(|weight| weight <= 0.0)
            });
            essence.eq_ignore_ascii_case("text/csv") && !refused
        })
}

/// The export for the signed-in instructor, filtered by the query string.
///
/// # Errors
/// 401 when nobody is signed in, 403 for students, 400 for unknown filters, 503 when the
/// database cannot be reached.
pub async fn export(req: &Request) -> Result<Response, AppError> {
    let user = require_user(req).await?;
    let state = request_state(req)?;
    let filters = parse_filters(req.uri().query(), user.id)?;
    let export = state.service.export(user.actor(), filters)?;
    csv_response(export).await
}

/// `GET /api/v1/scheduled-sessions.csv`.
#[poem::handler]
pub async fn scheduled_sessions_csv(req: &Request) -> Result<Response, AppError> {
    export(req).await
}

/// Middleware body (`around`): a `GET` of the list that accepts `text/csv` gets the export;
/// everything else goes on to the API.
///
/// # Errors
/// The export's or the API's errors.
pub async fn csv_when_accepted<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if req.method() == Method::GET && req.uri().path() == LIST_PATH && accepts_csv(&req) {
        return Ok(export(&req).await?);
    }
    next.call(req).await.map(IntoResponse::into_response)
}
