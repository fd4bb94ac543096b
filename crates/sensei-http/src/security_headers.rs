//! The security headers of every response, with one `Content-Security-Policy` for every
//! route: scripts only from this origin (the live pages' `/static/live.js`), never inline.
//! (The API reference is rendered on the server too, so it needs no looser policy.)

use poem::http::{HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The pages' policy: scripts and styles from this origin only (no inline script, no
/// `eval`); the live script's stream and page fetches are same-origin (`default-src`).
pub const PAGES_CSP: &str = "default-src 'self'; style-src 'self'; script-src 'self'; \
     object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Middleware body (`around`): sets `X-Content-Type-Options`, `X-Frame-Options`,
/// `Referrer-Policy` and the `Content-Security-Policy` on every response, overriding
/// whatever an endpoint set.
///
/// # Errors
/// Never: errors are rendered first.
pub async fn security_headers<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let policy = PAGES_CSP;
    let mut response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => crate::fallback::error_response(error),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("content-security-policy", policy),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    Ok(response)
}
