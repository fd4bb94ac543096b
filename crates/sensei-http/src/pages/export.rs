//! `GET /admin/export.csv`: every session matching the dashboard's and the history's
//! filters, as CSV (see [`crate::export`]).

use poem::web::Data;
use poem::{handler, Request, Response};

use crate::auth::Viewer;
use crate::error::AppError;
use crate::export::{csv_response, parse_filters};
use crate::state::AppState;

/// `GET /admin/export.csv`: instructors only (students 403, anonymous 303 to `/login`); 400
/// for unknown filters.
#[handler]
pub async fn csv(
    viewer: Viewer,
    state: Data<&AppState>,
    req: &Request,
) -> Result<Response, AppError> {
    let filters = parse_filters(req.uri().query(), viewer.account.id)?;
    let export = state.service.export(viewer.actor(), filters)?;
    csv_response(export).await
}
