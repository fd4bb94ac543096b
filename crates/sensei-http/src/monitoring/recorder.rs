//! The process's one Prometheus recorder, installed on first use.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Histogram buckets, in seconds: from half a millisecond (a page from a warm SQLite) to ten
/// seconds (beyond every timeout of the service).
pub const BUCKETS_SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The Prometheus recorder could not be installed.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "cannot install the Prometheus metrics recorder: {0}; another `metrics` recorder may \
     already be installed in this process"
)]
pub struct MetricsError(String);

/// The handle of the process's Prometheus recorder, installing it as the `metrics` facade's
/// global recorder on the first call (later calls, e.g. several applications in one test
/// process, share it).
///
/// # Errors
/// [`MetricsError`] when a recorder of another kind is already installed.
pub fn prometheus() -> Result<PrometheusHandle, MetricsError> {
    static HANDLE: OnceLock<Result<PrometheusHandle, MetricsError>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(BUCKETS_SECONDS)
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|error| MetricsError(error.to_string()))
        })
        .clone()
}
