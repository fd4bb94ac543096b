//! `GET /metrics`: the Prometheus text exposition of every series, with the database pool's
//! gauges sampled at the moment of the scrape.

use metrics_exporter_prometheus::PrometheusHandle;
use poem::http::header;
use poem::{Endpoint, Request, Response};
use sensei_diesel::Database;

/// Gauge: the database pool's connections by `state` (`in_use`, `idle`), at scrape time.
pub const POOL_CONNECTIONS: &str = "sensei_db_pool_connections";

/// Gauge: the pool's most connections.
pub const POOL_MAX_CONNECTIONS: &str = "sensei_db_pool_max_connections";

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders the recorder's series; samples the pool of `database` first, when given.
#[derive(Clone)]
pub struct MetricsEndpoint {
    handle: PrometheusHandle,
    database: Option<Database>,
}

impl MetricsEndpoint {
    /// The endpoint over `handle`, sampling `database`'s pool at each scrape when given.
    pub fn new(handle: PrometheusHandle, database: Option<Database>) -> Self {
        Self { handle, database }
    }

    /// Drains histogram samples into their buckets; call it now and then when nobody
    /// scrapes (rendering does it too).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The exposition text now.
    pub fn render(&self) -> String {
        if let Some(database) = &self.database {
            let state = database.pool_state();
            let backend = database.backend_name();
            metrics::gauge!(POOL_CONNECTIONS, "backend" => backend, "state" => "in_use")
                .set(f64::from(state.in_use()));
            metrics::gauge!(POOL_CONNECTIONS, "backend" => backend, "state" => "idle")
                .set(f64::from(state.idle));
            metrics::gauge!(POOL_MAX_CONNECTIONS, "backend" => backend)
                .set(f64::from(database.max_connections()));
        }
        self.handle.render()
    }
}

impl Endpoint for MetricsEndpoint {
    type Output = Response;

    async fn call(&self, _req: Request) -> poem::Result<Response> {
        Ok(Response::builder()
            .content_type(CONTENT_TYPE)
            .header(header::CACHE_CONTROL, "no-store")
            .body(self.render()))
    }
}
