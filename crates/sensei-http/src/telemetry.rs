//! Logs and per-request telemetry: the tracing subscriber (text or JSON lines on stderr,
//! filtered by `RUST_LOG`), and the outermost middleware that gives each request its id and
//! span, logs one line for it and records its metrics.

use std::io::IsTerminal;
use std::time::Instant;

use poem::http::HeaderName;
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::monitoring::http::{record_request, route_label};
use crate::monitoring::RouteSlot;
use crate::request_id::{RequestId, REQUEST_ID_HEADER};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `fields`, `target`, and `span` with the
    /// request's `request_id`), for log collectors.
    Json,
}

/// Installs the global subscriber: lines on stderr in `format`, filtered by `RUST_LOG`
/// (default `info`); text is coloured only on a terminal (and never with `NO_COLOR` set).
/// Does nothing if one is already installed (tests).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            builder.with_ansi(colour).try_init()
        }
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// A latency in milliseconds, to the microsecond: `0.035`, not `0.034811999999999996`.
fn rounded_millis(latency: std::time::Duration) -> f64 {
    (latency.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Middleware body (`around`), the outermost layer: takes the request id from `X-Request-Id`
/// (or makes one), runs the request inside a `request` span carrying `request_id` (so every
/// log line of the request, the handlers' and the database calls' included, carries it),
/// echoes the id in the response, logs one `info` line with method, path, status and latency,
/// and records the request's metrics by route template. Query strings are not logged (they
/// may hold emails).
///
/// # Errors
/// Never: errors are turned into responses first.
pub async fn observe_request<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let id = RequestId::take_or_make(req.headers().get(REQUEST_ID_HEADER));
    let span = tracing::info_span!("request", request_id = %id);
    let slot = RouteSlot::default();
    req.set_data(slot.clone());
    req.set_data(id.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    async move {
        let started = Instant::now();
        let mut response = match next.call(req).await {
            Ok(response) => response.into_response(),
            Err(error) => crate::fallback::error_response(error),
        };
        let latency = started.elapsed();
        let status = response.status();
        if let Some(value) = id.header_value() {
            response
                .headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
        }
        // Refused sign-ins are counted, not logged one by one: a flood would fill the log.
        if status == poem::http::StatusCode::TOO_MANY_REQUESTS {
            tracing::debug!(
                method = crate::monitoring::http::method_label(&method),
                path = %path,
                status = status.as_u16(),
                "request"
            );
        } else {
            tracing::info!(
                method = crate::monitoring::http::method_label(&method),
                path = %path,
                status = status.as_u16(),
                latency_ms = rounded_millis(latency),
                "request"
            );
        }
        let route = route_label(slot.get().as_deref());
        record_request(&method, route, status, latency);
        Ok(response)
    }
    .instrument(span)
    .await
}
