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

    /// Records `template` as the route, for answers given before the router is reached.
    pub fn set_template(&self, template: &str) {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(Arc::from(template));
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

/// The `route` label: the matched template, or [`UNMATCHED_ROUTE`] for every request that
/// matched none (whatever its path or status), so that no request can add a series.
pub fn route_label(matched: Option<&str>) -> String {
    let Some(pattern) = matched else {
        return UNMATCHED_ROUTE.to_owned();
    };
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
    named.join("/")
}

/// The `method` label: one of the methods the service knows, else `other`, so that invented
/// methods cannot add series.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(&Method, &str); 9] = [
        (&Method::GET, "GET"),
        (&Method::HEAD, "HEAD"),
        (&Method::POST, "POST"),
        (&Method::PUT, "PUT"),
        (&Method::PATCH, "PATCH"),
        (&Method::DELETE, "DELETE"),
        (&Method::OPTIONS, "OPTIONS"),
        (&Method::CONNECT, "CONNECT"),
        (&Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| *known == method)
        .map_or("other", |(_, label)| label)
}

/// The `status` label: the three digits of a status code (a closed set of at most 900).
fn status_label(status: StatusCode) -> &'static str {
    // Every status poem can produce is 100-999; the table holds them as static strings so
    // that recording a request allocates nothing for its labels.
    static LABELS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let labels = LABELS.get_or_init(|| (100..1000).map(|code| code.to_string()).collect());
    labels
        .get(usize::from(status.as_u16()).saturating_sub(100))
        .map_or("other", String::as_str)
}

/// Records one answered request.
pub fn record_request(method: &Method, route: String, status: StatusCode, latency: Duration) {
    let method = method_label(method);
    let code = status_label(status);
    if status == StatusCode::TOO_MANY_REQUESTS {
        metrics::counter!(RATE_LIMITED_TOTAL, "route" => route.clone()).increment(1);
    }
    metrics::histogram!(
        REQUEST_DURATION_SECONDS,
        "method" => method,
        "route" => route.clone(),
        "status" => code
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
            route_label(Some("/api/v1/submissions/:param0/scheduled-sessions")),
            "/api/v1/submissions/:id/scheduled-sessions"
        );
        assert_eq!(route_label(Some("/submissions/:id")), "/submissions/:id");
        assert_eq!(route_label(None), UNMATCHED_ROUTE);
    }

    #[test]
    fn methods_and_statuses_come_from_closed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        let invented = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&invented), "other");
        let long = Method::from_bytes("X".repeat(2000).as_bytes()).unwrap();
        assert_eq!(method_label(&long), "other");
        assert_eq!(status_label(StatusCode::OK), "200");
        assert_eq!(status_label(StatusCode::TOO_MANY_REQUESTS), "429");
        assert_eq!(status_label(StatusCode::from_u16(999).unwrap()), "999");
        assert_eq!(status_label(StatusCode::from_u16(100).unwrap()), "100");
    }
}
