//! The API reference at `/api/v1/docs`: one HTML page rendered on the server from the
//! OpenAPI document the service serves at `/api/v1/openapi.json`.
//!
//! Why not a JavaScript viewer: the viewers poem-openapi bundles all failed an axe-core
//! WCAG 2.1 AA audit (Swagger UI 34 violations, RapiDoc 3, OpenAPI Explorer 2, Scalar 73,
//! Redoc 461), each at least for the `lang` missing from its fixed page template, which no
//! option changes; Stoplight Elements loads its script from a CDN. They also need inline
//! script and a looser Content-Security-Policy. This page has
//! the site's layout and stylesheet, needs no script and works under the pages' policy.
//!
//! Everything the document says reaches the page through askama's escaping; descriptions go
//! through `prose`, which only splits text and never produces markup.

mod anchors;
mod document;
mod prose;
mod schema;
mod view;

use askama::Template;
use poem::endpoint::make_sync;
use poem::http::header;
use poem::{get, Endpoint, IntoResponse, Response, Route};

use super::error::ApiError;
use crate::pages::layout::Nav;
use document::Document;
pub use view::ReferenceView;

/// Why the page could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The document is not JSON, or a member has the wrong shape.
    #[error("the OpenAPI document cannot be read: {0}")]
    Document(#[from] serde_json::Error),
    /// The template failed.
    #[error("the API reference cannot be rendered: {0}")]
    Render(#[from] askama::Error),
}

/// The page.
#[derive(Template)]
#[template(path = "api_reference.html")]
struct ReferencePage<'a> {
    /// No account area: the reference is the same for everybody.
    nav: Option<Nav>,
    /// What it shows.
    reference: &'a ReferenceView,
    /// The raw document's address.
    document_href: &'a str,
}

/// Renders the reference page for an OpenAPI document (JSON) served at `document_href`.
///
/// # Errors
/// [`ReferenceError::Document`] when the document cannot be read,
/// [`ReferenceError::Render`] when the template fails.
pub fn render(document: &str, document_href: &str) -> Result<String, ReferenceError> {
    let document: Document = serde_json::from_str(document)?;
    let reference = ReferenceView::new(&document);
    let page = ReferencePage {
        nav: None,
        reference: &reference,
        document_href,
    };
    Ok(page.render()?)
}

/// The endpoint to nest at the reference's path: `GET` answers the page, rendered once here
/// (the document only changes with the binary). A document that cannot be rendered is
/// logged and answered with the API's 500 `internal` error, rather than stopping the
/// service.
pub fn endpoint(document: &str, document_href: &str) -> impl Endpoint<Output = Response> {
    let page = render(document, document_href).map_err(|error| {
        tracing::error!(%error, "the API reference is unavailable");
        error.to_string()
    });
    Route::new().at(
        "/",
        get(make_sync(move |_| match &page {
            Ok(html) => Response::builder()
                .content_type("text/html; charset=utf-8")
                // The same for everybody, but new with every release: revalidate.
                .header(header::CACHE_CONTROL, "no-cache")
                .body(html.clone()),
            Err(error) => ApiError::internal(error).into_response(),
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_that_is_not_json_is_an_error_not_a_panic() {
        let error = render("<html>", "/openapi.json").unwrap_err();
        assert!(matches!(error, ReferenceError::Document(_)), "{error}");
    }

    #[test]
    fn everything_from_the_document_is_escaped() {
        let hostile = r##"{
          "info": {"title": "<script>alert(1)</script>", "version": "\"><b>",
                   "description": "`<i>` **<u>** <img src=x onerror=alert(1)>"},
          "servers": [{"url": "/v\"1"}],
          "tags": [{"name": "<t>", "description": "<svg onload=alert(1)>"}],
          "paths": {"/p/{<id>}": {"get": {"tags": ["<t>"], "operationId": "\" onmouseover=\"x",
            "summary": "<em>s</em>",
            "parameters": [{"name": "<n>", "in": "<q>", "description": "<d>",
                            "schema": {"type": "<ty>", "enum": ["<e>"]}}],
            "responses": {"<200>": {"description": "<r>",
              "content": {"<m>": {"schema": {"$ref": "#/components/schemas/<S>"}}}}}}}},
          "components": {"schemas": {"<S>": {"type": "object", "description": "<sd>",
            "properties": {"<prop>": {"type": "string", "description": "<pd>"}}}}}
        }"##;
        let html = render(hostile, "/x?a=1&b=\"2\"").unwrap();
        for raw in [
            "<script>",
            "<b>",
            "<i>",
            "<u>",
            "<img",
            "<svg",
            "<t>",
            "<em>",
            "<n>",
            "<q>",
            "<d>",
            "<ty>",
            "<e>",
            "<r>",
            "<m>",
            "<S>",
            "<sd>",
            "<prop>",
            "<pd>",
            "<200>",
            "\" onmouseover",
            "b=\"2\"",
        ] {
            assert!(!html.contains(raw), "{raw} is not escaped");
        }
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(
            html.contains("<code>&#60;i&#62;</code>"),
            "code kept, escaped"
        );
        assert!(html.contains("<strong>&#60;u&#62;</strong>"));
        assert!(
            html.contains("id=\"op---onmouseover--x\""),
            "a clean anchor"
        );
    }
}
