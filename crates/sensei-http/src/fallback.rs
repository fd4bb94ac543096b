//! Last lines of defence: every error that reaches the top becomes an HTML page with its
//! status, and a panic becomes a 500 page instead of a dropped connection.

use std::any::Any;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::error::{page_for_status, AppError};

/// Middleware body (`around`): renders errors that poem or an extractor produced.
///
/// # Errors
/// Never: every error becomes a response.
pub async fn render_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    match next.call(req).await {
        Ok(response) => Ok(response.into_response()),
        Err(error) => Ok(error_response(error)),
    }
}

/// The page for an error.
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
}
