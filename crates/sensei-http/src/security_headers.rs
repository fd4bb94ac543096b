//! The security headers of every response, and the one route with a looser
//! `Content-Security-Policy`: the interactive API reference, whose embedded viewer (Swagger
//! UI, served by us, no third-party assets) needs inline script and style.

use poem::http::{HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The pages' policy: no scripts at all, styles from our stylesheet only.
pub const PAGES_CSP: &str = "default-src 'self'; style-src 'self'; script-src 'none'; \
     object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The API reference's policy: its viewer's inline script and style, images from `data:`
/// URIs, calls to this origin only ("Try it out"); still nothing from elsewhere.
pub const API_DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
     base-uri 'none'";

/// Whether `path` is the API reference (or one of its own files).
fn is_api_docs(path: &str) -> bool {
    let docs = crate::api::DOCS_PATH;
    path == docs
        || path
            .strip_prefix(docs)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Middleware body (`around`): sets `X-Content-Type-Options`, `X-Frame-Options`,
/// `Referrer-Policy` and the route's `Content-Security-Policy` on every response, overriding
/// whatever an endpoint set.
///
/// # Errors
/// Never: errors are rendered first.
pub async fn security_headers<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let policy = if is_api_docs(req.uri().path()) {
        API_DOCS_CSP
    } else {
        PAGES_CSP
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_reference_gets_the_looser_policy() {
        assert!(is_api_docs("/api/v1/docs"));
        assert!(is_api_docs("/api/v1/docs/oauth-receiver.html"));
        assert!(!is_api_docs("/api/v1/docsx"));
        assert!(!is_api_docs("/admin"));
    }
}
