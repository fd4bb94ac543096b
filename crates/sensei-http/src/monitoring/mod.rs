//! Prometheus metrics (`/metrics`): what the service counts and how it is exposed. One job per
//! file:
//!
//! * `recorder.rs`: the process's one Prometheus recorder (the `metrics` facade's global
//!   recorder; no HTTP listener of its own) and its histogram buckets;
//! * `endpoint.rs`: the `/metrics` handler (text exposition format), on the main port or on
//!   `--metrics-bind`;
//! * `http.rs`: requests by route template, method and status, with latency histograms;
//! * `business.rs`: bookings by outcome, completions, sign-in failures (recorded by the HTTP
//!   adapter after the service call: the domain crate stays free of metrics);
//! * `webhooks.rs`: webhook attempts by outcome, the outbox depth and its oldest delivery.
//!
//! The database pool's wait histogram is recorded by `sensei-diesel` through the same facade;
//! its in-use and idle gauges are sampled at each scrape. docs/operations.md lists every
//! series with example PromQL queries.

pub mod business;
pub mod email;
pub mod endpoint;
pub mod http;
pub mod recorder;
pub mod webhooks;

pub use endpoint::{MetricsAccess, MetricsEndpoint};
pub use http::{capture_route, RouteSlot};
pub use recorder::{prometheus, MetricsError};
