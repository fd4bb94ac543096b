//! How the API's callers prove who they are, as the OpenAPI document declares it: an API
//! token (`Authorization: Bearer`), or the session cookie of `POST /api/v1/session`.
//!
//! These extractors only describe: they accept every request (the unit fallback covers the
//! trusted-header mode, whose header name is configured at run time). Who is asking is
//! decided once, by [`crate::auth::bearer`] and [`crate::auth::viewer::signed_in_account`],
//! and a request with no credential gets the operation's 401.

use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

/// An API token (`sst_...`), made with `sensei token create` or on the API tokens page,
/// acting with its owner's permissions. Needs no forgery marker.
#[derive(SecurityScheme)]
#[oai(
    rename = "apiToken",
    ty = "bearer",
    bearer_format = "sst_ followed by 64 hex digits"
)]
pub struct ApiToken(
    /// The token.
    #[allow(dead_code)]
    pub Bearer,
);

/// The private session cookie set by `POST /api/v1/session` (and the sign-in page).
#[derive(SecurityScheme)]
#[oai(
    rename = "sessionCookie",
    ty = "api_key",
    key_name = "sensei_session",
    key_in = "cookie"
)]
pub struct SessionCookie(
    /// The cookie's (encrypted) value.
    #[allow(dead_code)]
    pub ApiKey,
);

/// The credentials an operation accepts: an API token or the session cookie.
#[derive(SecurityScheme)]
pub enum ApiAuth {
    /// `Authorization: Bearer`.
    Token(ApiToken),
    /// The session cookie.
    Cookie(SessionCookie),
    /// Neither (the trusted-header mode, or nobody: then the operation answers 401).
    #[oai(fallback)]
    Other,
}
