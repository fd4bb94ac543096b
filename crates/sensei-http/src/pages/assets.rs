//! The stylesheet, compiled into the binary (no CDN).

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
