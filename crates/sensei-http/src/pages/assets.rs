//! The stylesheet and the live pages' script, compiled into the binary (no CDN), and the
//! (empty) favicon.

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

/// The live pages' script's text (see `static/live.js`: no framework, no build step).
pub const LIVE_SCRIPT: &str = include_str!("../../static/live.js");

/// `GET /static/live.js`: same-origin, so the pages' policy `script-src 'self'` allows it.
/// Cached for an hour like the stylesheet.
#[handler]
pub fn live_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(LIVE_SCRIPT)
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
