//! Response headers that keep personal data private: nothing answered to a signed-in request
//! (pages and JSON hold emails and notes) and no error (error pages may repeat what was
//! submitted) is ever stored by a browser or a shared cache; and the sign-in cookie's removal
//! applies to the whole site.

use poem::http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::config::SIGN_IN_COOKIE;
use crate::state::AppState;

/// `sensei_session=`: how the sign-in cookie starts in `Cookie` and `Set-Cookie`.
fn cookie_prefix() -> String {
    format!("{SIGN_IN_COOKIE}=")
}

/// Whether the request carries the sign-in cookie or a trusted identity header.
fn is_signed_in_request(req: &Request) -> bool {
    if !req.headers().contains_key(COOKIE) {
        return req
            .data::<AppState>()
            .and_then(AppState::trusted_header)
            .is_some_and(|trusted| req.headers().contains_key(&trusted.name));
    }
    let cookie_prefix = cookie_prefix();
    let has_cookie = req.headers().get_all(COOKIE).iter().any(|value| {
        value.to_str().is_ok_and(|cookies| {
            cookies
                .split(';')
                .any(|cookie| cookie.trim_start().starts_with(&cookie_prefix))
        })
    });
    let has_identity_header = req
        .data::<AppState>()
        .and_then(AppState::trusted_header)
        .is_some_and(|trusted| req.headers().contains_key(&trusted.name));
    has_cookie || has_identity_header
}

/// The session middleware removes the cookie without a `Path`, which a browser applies to the
/// request's directory only (`/api/v1` for the API's sign-out); this scopes it to `/`.
fn scope_cookie_removal(response: &mut Response) {
    if !response.headers().contains_key(SET_COOKIE) {
        return;
    }
    let cookie_prefix = cookie_prefix();
    let fixed: Vec<HeaderValue> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| {
            let text = value.to_str().unwrap_or_default();
            let is_removal = text.starts_with(&cookie_prefix)
                && text.to_ascii_lowercase().contains("max-age=0")
                && !text.to_ascii_lowercase().contains("path=");
            if is_removal {
                HeaderValue::from_str(&format!("{text}; Path=/")).unwrap_or_else(|_| value.clone())
            } else {
                value.clone()
            }
        })
        .collect();
    if fixed.is_empty() {
        return;
    }
    let headers = response.headers_mut();
    headers.remove(SET_COOKIE);
    for value in fixed {
        headers.append(SET_COOKIE, value);
    }
}

/// Middleware body (`around`), inside the session middleware's `data`: adds
/// `Cache-Control: no-store` to every response to a signed-in request, to every error and to
/// every response that sets a cookie, and scopes the sign-in cookie's removal to `/`.
///
/// # Errors
/// Never: errors are rendered here (as pages; the API renders its own as JSON before this).
pub async fn private_responses<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let signed_in = is_signed_in_request(&req);
    let path = req.uri().path().to_owned();
    let mut response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => crate::fallback::error_response_at(error, &path),
    };
    scope_cookie_removal(&mut response);
    let personal = signed_in
        || response.status().as_u16() >= 400
        || response.headers().contains_key(SET_COOKIE);
    if personal {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
