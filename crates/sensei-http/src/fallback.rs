//! Last lines of defence: every error that reaches the top becomes an HTML page with its
//! status (a JSON error under `/api/v1`), and a panic becomes a 500 page instead of a dropped
//! connection.

use std::any::Any;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::error::AppError;
use crate::pages::error_page::{not_found_page_with_nav, page_for_status};

/// Middleware body (`around`): renders errors that poem or an extractor produced.
///
/// # Errors
/// Never: every error becomes a response.
pub async fn render_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    // Some errors under the API never reach its own JSON layer: routing refuses a path whose
    // percent-encoding is not UTF-8 (`/api/v1/scheduled-sessions/%FF`) before the API's
    // nest is entered. Those are still API errors, so they get the API's JSON.
    let path = req.uri().path().to_owned();
    match next.call(req).await {
        Ok(response) => Ok(response.into_response()),
        Err(error) => Ok(error_response_at(error, &path)),
    }
}

/// Middleware body (`around`, inside the session layer): a signed-in user's "not found" page
/// keeps the header navigation, so a mistyped address is not a dead end. The account is looked
/// up only for a GET outside the API that ended in 404 with a sign-in in its cookie; should
/// that lookup fail, or a trusted proxy rather than the cookie vouch for the user, the error
/// goes on as it was and the page is shown without the header.
///
/// # Errors
/// The inner endpoint's, unchanged, except a 404 rendered here.
pub async fn signed_in_not_found<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let candidate = (req.method() == poem::http::Method::GET && !is_api_path(req.uri().path()))
        .then(|| req.extensions().get::<poem::session::Session>().cloned())
        .flatten()
        .filter(|session| crate::auth::sign_in::token_of(session).is_some());
    // Cloned before the call consumes the request; only for signed-in page requests.
    let state = candidate
        .as_ref()
        .and_then(|_| req.data::<crate::state::AppState>().cloned());
    let result = next.call(req).await.map(IntoResponse::into_response);
    let error = match result {
        Err(error) if error.status() == StatusCode::NOT_FOUND => error,
        other => return other,
    };
    let (Some(session), Some(state)) = (candidate, state) else {
        return Err(error);
    };
    let nav = match crate::auth::sign_in::current_account(&state, &session).await {
        Ok(Some(account)) => crate::auth::csrf::token(&session).ok().map(|csrf_token| {
            crate::pages::layout::Nav::for_viewer(&crate::auth::Viewer {
                account,
                csrf_token,
                // The message waits for the next real page.
                flash: crate::auth::flash::Flash::default(),
                // The 404 page shows no time.
                zone: crate::zone::ViewerZone::utc(),
            })
        }),
        _ => None,
    };
    match nav.flatten() {
        Some(nav) => Ok(not_found_page_with_nav(&error, nav)),
        None => Err(error),
    }
}

/// The response for an error of a request to `path` (as sent): the API's JSON error under
/// `/api/v1`, else the page for the error. The layers that turn the router's errors into
/// responses ([`render_errors`], `privacy::private_responses`) go through this, so neither
/// answers an API request with a page.
pub fn error_response_at(error: poem::Error, path: &str) -> Response {
    if is_api_path(path) {
        api_error_response(error, path)
    } else {
        error_response(error)
    }
}

/// Whether `path` (as sent, still percent-encoded) is under the API's prefix.
fn is_api_path(path: &str) -> bool {
    path.strip_prefix(crate::api::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The API's JSON error for an error that escaped the API's own layer.
fn api_error_response(error: poem::Error, path: &str) -> Response {
    if error.is::<poem::error::ParsePathError>() {
        return crate::api::ApiError::bad_request(
            "the path is not valid: every percent-encoded part (%XX) must decode to UTF-8 text",
        )
        .into_response();
    }
    crate::api::guard::error_response(error, path)
}

/// The page for an error (outside the API: see [`error_response_at`]).
pub fn error_response(error: poem::Error) -> Response {
    if error.is::<AppError>() {
        return error.into_response();
    }
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, "unhandled server error");
    }
    page_for_status(status, &error.to_string())
}

/// The response to a panic in a handler: logged, answered with a 500 page.
pub fn panic_page(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!(panic = %message, "a handler panicked");
    page_for_status(StatusCode::INTERNAL_SERVER_ERROR, "")
}

#[cfg(test)]
mod tests {
    use poem::middleware::CatchPanic;
    use poem::test::TestClient;
    use poem::{handler, EndpointExt, Route};

    use super::*;

    #[handler]
    fn boom() -> &'static str {
        panic!("deliberate test panic")
    }

    #[tokio::test]
    async fn a_panic_becomes_a_500_page_and_route_errors_become_pages() {
        let app = Route::new()
            .at("/boom", boom)
            .around(render_errors)
            .with(CatchPanic::new().with_handler(panic_page));
        let client = TestClient::new(app);
        let response = client.get("/boom").send().await;
        response.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
        response.assert_content_type("text/html; charset=utf-8");
        let missing = client.get("/missing").send().await;
        missing.assert_status(StatusCode::NOT_FOUND);
        missing.assert_content_type("text/html; charset=utf-8");
    }

    #[test]
    fn only_paths_under_the_prefix_are_the_apis() {
        for path in ["/api/v1", "/api/v1/", "/api/v1/scheduled-sessions/%FF"] {
            assert!(is_api_path(path), "{path}");
        }
        for path in ["/", "/api/v10", "/api/v1%FF", "/api", "/admin/api/v1/x"] {
            assert!(!is_api_path(path), "{path}");
        }
    }
}
