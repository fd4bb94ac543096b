//! The stylesheet, compiled into the binary (no CDN), and the (empty) favicon.

use poem::http::header;
use poem::{handler, Response};

/// The stylesheet's text.
pub const STYLESHEET: &str = include_str!("../../static/style.css");

/// `GET /static/style.css`.
#[handler]
pub fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(STYLESHEET)
}

/// `GET /favicon.ico`: no icon (204), so browsers asking for one on any page, the API
/// reference included, get no 404 and log no console error.
#[handler]
pub fn favicon() -> Response {
    Response::builder()
        .status(poem::http::StatusCode::NO_CONTENT)
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .finish()
}
