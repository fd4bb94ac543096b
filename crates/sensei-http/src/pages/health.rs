//! Health checks: `/healthz` (the process answers) and `/readyz` (the database answers).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, IntoResponse, Response};

use crate::state::AppState;

/// `GET /healthz`: 200 while the process serves requests.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the stores can serve (the database answers and its schema is
/// there), else 503.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    match state.service.check_ready().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
