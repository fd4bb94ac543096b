//! Requests by route template (`/submissions/:id`, never the raw path), method and status,
//! with their latency; and the 429s of the rate limits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, PathPattern, Request, Response};

/// Counter: requests answered, by `method`, `route` and `status`.
pub const REQUESTS_TOTAL: &str = "sensei_http_requests_total";

/// Histogram: time to answer, in seconds, by `method`, `route` and `status`.
pub const REQUEST_DURATION_SECONDS: &str = "sensei_http_request_duration_seconds";

/// Counter: requests refused with 429 `rate_limited` (sign-in floods), by `route`.
pub const RATE_LIMITED_TOTAL: &str = "sensei_http_rate_limited_total";

/// The `route` of requests that matched no route (404s): one label for every unknown path,
/// so that scanners cannot blow up the number of series.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Where the router's matched pattern is left for the outermost middleware, which runs after
/// error rendering has replaced the response that carried it. Put on the request by
/// [`crate::telemetry::observe_request`], filled by [`capture_route`].
#[derive(Debug, Clone, Default)]
pub struct RouteSlot(Arc<Mutex<Option<Arc<str>>>>);

impl RouteSlot {
    fn set(&self, pattern: &PathPattern) {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(Arc::clone(&pattern.0));
    }

    /// The matched route template, if any route matched.
    pub fn get(&self) -> Option<Arc<str>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Middleware body (`around`), directly around the route table: copies the matched route
/// pattern poem leaves on the response (or error) into the request's [`RouteSlot`].
///
/// # Errors
/// The inner endpoint's, unchanged.
pub async fn capture_route<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let slot = req.data::<RouteSlot>().cloned();
    let result = next.call(req).await.map(IntoResponse::into_response);
    if let Some(slot) = slot {
        let pattern = match &result {
            Ok(response) => response.data::<PathPattern>(),
            Err(error) => error.data::<PathPattern>(),
        };
        if let Some(pattern) = pattern {
            slot.set(pattern);
        }
    }
    result
}

/// The `route` label: the matched template, or [`UNMATCHED_ROUTE`] for a 404 that matched
/// none; otherwise (a response no router made) the path with every segment holding a digit
/// replaced by `:id`.
pub fn route_label(matched: Option<&str>, path: &str, status: StatusCode) -> String {
    if let Some(pattern) = matched {
        // poem-openapi names path parameters by position (`:param0`); every API path has one,
        // `id`, as the document says.
        let named: Vec<&str> = pattern
            .split('/')
            .map(|segment| {
                if segment.starts_with(":param") {
                    ":id"
                } else {
                    segment
                }
            })
            .collect();
        return named.join("/");
    }
    if status == StatusCode::NOT_FOUND {
        return UNMATCHED_ROUTE.to_owned();
    }
    let mapped: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if segment.bytes().any(|byte| byte.is_ascii_digit()) {
                ":id"
            } else {
                segment
            }
        })
        .collect();
    mapped.join("/")
}

/// Records one answered request.
pub fn record_request(method: &Method, route: String, status: StatusCode, latency: Duration) {
    let method = method.as_str().to_owned();
    let code = status.as_u16().to_string();
    if status == StatusCode::TOO_MANY_REQUESTS {
        metrics::counter!(RATE_LIMITED_TOTAL, "route" => route.clone()).increment(1);
    }
    metrics::histogram!(
        REQUEST_DURATION_SECONDS,
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => code.clone()
    )
    .record(latency.as_secs_f64());
    metrics::counter!(REQUESTS_TOTAL, "method" => method, "route" => route, "status" => code)
        .increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_templates_never_raw_paths() {
        assert_eq!(
            route_label(
                Some("/api/v1/submissions/:param0/scheduled-sessions"),
                "/api/v1/submissions/3/scheduled-sessions",
                StatusCode::CREATED
            ),
            "/api/v1/submissions/:id/scheduled-sessions"
        );
        assert_eq!(
            route_label(Some("/submissions/:id"), "/submissions/7", StatusCode::OK),
            "/submissions/:id"
        );
        assert_eq!(
            route_label(None, "/no/such/page/123", StatusCode::NOT_FOUND),
            UNMATCHED_ROUTE
        );
        assert_eq!(
            route_label(None, "/submissions/42/schedule", StatusCode::BAD_REQUEST),
            "/submissions/:id/schedule"
        );
    }
}
