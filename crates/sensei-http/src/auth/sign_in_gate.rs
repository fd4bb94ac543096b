//! The door before the sign-in forms: a client address that has spent its failed sign-ins
//! is answered 429 before its request body is read, its session cookie decrypted or its
//! password hashed, so a flood of wrong passwords costs about what `/healthz` costs and does
//! not slow the instructors who are signed in. Refusals are counted in `/metrics`
//! (`sensei_sign_in_failures_total{reason="rate_limited"}`), and logged at debug only: one
//! line per refusal would let a flood fill the logs.

use poem::http::Method;
use poem::{Endpoint, IntoResponse, Request, Response};

use super::viewer::client_ip;
use crate::monitoring::RouteSlot;
use crate::state::AppState;

/// The sign-in routes: the page's form and the API's `POST /session`.
const SIGN_IN_ROUTES: [&str; 2] = ["/login", "/api/v1/session"];

/// Middleware body (`around`), inside the application state: refuses a sign-in from a client
/// address with no failures left (see the module documentation); passes everything else on.
///
/// # Errors
/// The inner endpoint's, unchanged; and the 429 itself, which the error layer outside
/// (`crate::fallback::render_errors`) renders in the route's own language: JSON for the API,
/// the error page for the form.
pub async fn sign_in_gate<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if req.method() != Method::POST {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let Some(route) = SIGN_IN_ROUTES
        .iter()
        .find(|route| req.uri().path() == **route)
    else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let Some(state) = req.data::<AppState>() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let Err(refused) = state
        .security
        .sign_in_throttle
        .check_address(client_ip(&req))
    else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    crate::monitoring::business::sign_in_failure(refused.code());
    tracing::debug!(route, "sign-in refused before reading it: no failures left");
    if let Some(slot) = req.data::<RouteSlot>() {
        slot.set_template(route);
    }
    Err(refused.into())
}
