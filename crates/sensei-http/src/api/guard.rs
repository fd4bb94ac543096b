//! The API's outer layer: cross-site request forgery protection by content type, a body size
//! limit, and the conversion of every error (ours, poem's, poem-openapi's, a panic) into the
//! one JSON error shape, so nothing under `/api/v1` ever answers with an HTML page.
//!
//! Forgery: a browser sends a cross-site request with `Content-Type: application/json` or a
//! custom header such as `X-Requested-With` only after a CORS preflight, and this service
//! answers no preflight with permission. So every state-changing request must carry either a
//! JSON content type or, when it has no body, an `X-Requested-With` header; the session cookie
//! is also `SameSite=Lax`.

use std::any::Any;
use std::sync::OnceLock;

use poem::error::ReadBodyError;
use poem::http::{header, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::error::ApiError;
use crate::error::AppError;

/// The largest request body accepted: room for 10,000 characters of notes however they are
/// escaped in JSON.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The header a bodyless state-changing request may carry instead of a JSON content type.
pub const REQUESTED_WITH: &str = "x-requested-with";

/// Whether a method may change state (everything but GET, HEAD, OPTIONS and TRACE).
fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether a `Content-Type` value is JSON (`application/json` or `application/*+json`,
/// parameters such as `charset` allowed).
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Refuses state-changing requests that a cross-site form or simple request could send.
///
/// # Errors
/// 415 `unsupported_media_type` for a content type other than JSON; 403 `csrf_rejected` for
/// a request with neither a content type nor `X-Requested-With`.
pub fn check_forgery(req: &Request) -> Result<(), ApiError> {
    if !is_state_changing(req.method()) {
        return Ok(());
    }
    match req.headers().get(header::CONTENT_TYPE) {
        Some(value) => {
            if value.to_str().is_ok_and(is_json) {
                Ok(())
            } else {
                Err(AppError::unsupported_media_type(
                    "state-changing requests must be sent with Content-Type: application/json",
                )
                .into())
            }
        }
        None => {
            let marked = req
                .headers()
                .get(REQUESTED_WITH)
                .is_some_and(|value| !value.is_empty());
            if marked {
                Ok(())
            } else {
                Err(AppError::csrf_rejected(
                    "state-changing requests must carry Content-Type: application/json or, \
                     without a body, an X-Requested-With header",
                )
                .into())
            }
        }
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`] and puts it back, so nothing downstream reads an
/// unbounded body.
async fn limit_body(req: &mut Request) -> Result<(), ApiError> {
    let bytes = req
        .take_body()
        .into_bytes_limit(MAX_BODY_BYTES)
        .await
        .map_err(|error| match error {
            ReadBodyError::PayloadTooLarge => ApiError::for_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large",
            ),
            other => ApiError::bad_request(format!("the request body could not be read: {other}")),
        })?;
    req.set_body(bytes);
    Ok(())
}

/// The methods each path of the API accepts, read from the OpenAPI document once, for the
/// `Allow` header of a 405 (RFC 9110).
struct AllowTable {
    /// Each path's segments (`None` for a `{parameter}`) and its methods, e.g. `GET, POST`.
    routes: Vec<(Vec<Option<String>>, String)>,
}

impl AllowTable {
    fn from_spec(spec: &str) -> Self {
        let document: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = vec![
            (segments("/openapi.json"), "GET".to_owned()),
            (segments("/docs"), "GET".to_owned()),
        ];
        if let Some(paths) = document.get("paths").and_then(|paths| paths.as_object()) {
            for (path, operations) in paths {
                let methods = operations
                    .as_object()
                    .map(|operations| {
                        operations
                            .keys()
                            .map(|method| method.to_ascii_uppercase())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                routes.push((segments(path), methods));
            }
        }
        Self { routes }
    }

    fn allowed(&self, path: &str) -> Option<&str> {
        let path = path.strip_prefix(super::PREFIX).unwrap_or(path);
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == wanted.len()
                    && pattern.iter().zip(&wanted).all(|(expected, actual)| {
                        expected.as_deref().is_none_or(|literal| literal == *actual)
                    })
            })
            .map(|(_, methods)| methods.as_str())
    }
}

/// A path template's segments; `{name}` segments match anything.
fn segments(template: &str) -> Vec<Option<String>> {
    template
        .trim_matches('/')
        .split('/')
        .map(|segment| {
            (!(segment.starts_with('{') && segment.ends_with('}'))).then(|| segment.to_owned())
        })
        .collect()
}

fn allow_table() -> &'static AllowTable {
    static TABLE: OnceLock<AllowTable> = OnceLock::new();
    TABLE.get_or_init(|| AllowTable::from_spec(&super::spec_json()))
}

/// The JSON response for any error an endpoint returned at `path`.
pub fn error_response(error: poem::Error, path: &str) -> Response {
    if error.status() == StatusCode::METHOD_NOT_ALLOWED {
        let mut response = ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED, "").into_response();
        if let Some(methods) = allow_table()
            .allowed(path)
            .and_then(|methods| HeaderValue::from_str(methods).ok())
        {
            response.headers_mut().insert(header::ALLOW, methods);
        }
        return response;
    }
    if error.is::<ApiError>() {
        return error.into_response();
    }
    if let Some(app) = error.downcast_ref::<AppError>() {
        return ApiError::from(app.clone()).into_response();
    }
    // poem-openapi names path parameters by position internally (`param0`); every path of
    // this API has one parameter, `id`.
    let message = error.to_string().replace("`param0`", "`id`");
    ApiError::for_status(error.status(), &message).into_response()
}

/// Middleware body (`around`): forgery check, body limit, JSON errors. Never fails.
///
/// # Errors
/// Never: every error becomes a JSON response.
pub async fn json_api<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    // Only operations that exist are guarded: anything else gets its 404 or 405 from routing.
    let routed = allow_table()
        .allowed(req.uri().path())
        .is_some_and(|methods| {
            methods
                .split(", ")
                .any(|method| method == req.method().as_str())
        });
    // A bearer request carries its credential itself, not in a cookie a browser would add
    // on its own, so it needs no forgery marker (`crate::auth::bearer`).
    if routed && !super::bearer::has_bearer(&req) {
        if let Err(error) = check_forgery(&req) {
            return Ok(error.into_response());
        }
    }
    if is_state_changing(req.method()) {
        if let Err(error) = limit_body(&mut req).await {
            return Ok(error.into_response());
        }
    }
    let path = req.uri().path().to_owned();
    Ok(match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => {
            // Keep the matched route for the request metrics (`crate::monitoring::http`).
            let pattern = error.data::<poem::PathPattern>().cloned();
            let mut response = error_response(error, &path);
            if let Some(pattern) = pattern {
                response.set_data(pattern);
            }
            response
        }
    })
}

/// The response to a panic in an API handler: logged, answered with a JSON 500.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    ApiError::internal(&format!("a handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Declaration;

    #[test]
    fn json_content_types_are_recognised_with_parameters_and_suffixes() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            assert!(is_json(json), "{json}");
        }
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }

    #[test]
    fn reads_pass_and_writes_need_json_or_the_custom_header() {
        let get = Request::builder().method(Method::GET).finish();
        assert!(check_forgery(&get).is_ok());
        let bare = Request::builder().method(Method::POST).finish();
        assert_eq!(
            check_forgery(&bare).unwrap_err().body.code.0,
            Declaration::CSRF_REJECTED
        );
        let form = Request::builder()
            .method(Method::POST)
            .content_type("application/x-www-form-urlencoded")
            .header(REQUESTED_WITH, "x")
            .finish();
        assert_eq!(
            check_forgery(&form).unwrap_err().body.code.0,
            Declaration::UNSUPPORTED_MEDIA_TYPE
        );
        let marked = Request::builder()
            .method(Method::DELETE)
            .header("X-Requested-With", "curl")
            .finish();
        assert!(check_forgery(&marked).is_ok());
        let json = Request::builder()
            .method(Method::POST)
            .content_type("application/json")
            .finish();
        assert!(check_forgery(&json).is_ok());
    }

    #[test]
    fn the_allow_table_lists_each_paths_methods_from_the_document() {
        let table = allow_table();
        assert_eq!(table.allowed("/session"), Some("DELETE, GET, POST"));
        assert_eq!(table.allowed("/api/v1/scheduled-sessions/7"), Some("GET"));
        assert_eq!(
            table.allowed("/scheduled-sessions/x/completion"),
            Some("POST")
        );
        assert_eq!(table.allowed("/openapi.json"), Some("GET"));
        assert_eq!(table.allowed("/nothing/here"), None);
    }
}
