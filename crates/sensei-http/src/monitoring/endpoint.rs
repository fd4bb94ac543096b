//! `GET /metrics`: the Prometheus text exposition of every series, with the database pool's
//! gauges sampled at the moment of the scrape. Served only to the addresses allowed
//! (`--metrics-allow`, loopback by default), judged on the client address (behind a trusted
//! proxy, the one it forwards); anyone else gets 404, as for a page that does not exist.

use std::net::IpAddr;

use ipnet::IpNet;
use metrics_exporter_prometheus::PrometheusHandle;
use poem::http::{header, StatusCode};
use poem::{Endpoint, Request, Response};
use sensei_diesel::Database;

use crate::client_ip::{canonical, TrustedProxies};

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
    access: MetricsAccess,
}

/// Who may read `/metrics`: client addresses in `allow`, the client being the peer or, when
/// the peer is one of `proxies`, the address it forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsAccess {
    /// Allowed client address blocks.
    pub allow: Vec<IpNet>,
    /// Reverse proxies whose forwarded client address counts.
    pub proxies: TrustedProxies,
}

impl Default for MetricsAccess {
    /// Loopback only (`127.0.0.0/8`, `::1/128`), no proxies.
    fn default() -> Self {
        Self {
            allow: loopback(),
            proxies: TrustedProxies::default(),
        }
    }
}

/// The loopback blocks: the default of `--metrics-allow`.
pub fn loopback() -> Vec<IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|block| block.parse().ok())
        .collect()
}

impl MetricsAccess {
    /// Whether a request from `peer` with these headers may read the metrics.
    pub fn allows(&self, peer: Option<IpAddr>, headers: &poem::http::HeaderMap) -> bool {
        let Some(client) = self.proxies.client_of(peer, headers) else {
            return false;
        };
        let client = canonical(client);
        self.allow.iter().any(|block| block.contains(&client))
    }
}

impl MetricsEndpoint {
    /// The endpoint over `handle`, sampling `database`'s pool at each scrape when given,
    /// answering only loopback clients (see [`MetricsEndpoint::with_access`]).
    pub fn new(handle: PrometheusHandle, database: Option<Database>) -> Self {
        Self {
            handle,
            database,
            access: MetricsAccess::default(),
        }
    }

    /// This endpoint answering the clients `access` allows.
    pub fn with_access(self, access: MetricsAccess) -> Self {
        Self { access, ..self }
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

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let peer = req
            .remote_addr()
            .as_socket_addr()
            .map(|address| address.ip());
        if !self.access.allows(peer, req.headers()) {
            tracing::debug!(peer = ?peer, "metrics refused to a client outside --metrics-allow");
            return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
        }
        Ok(Response::builder()
            .content_type(CONTENT_TYPE)
            .header(header::CACHE_CONTROL, "no-store")
            .body(self.render()))
    }
}

#[cfg(test)]
mod tests {
    use poem::http::{HeaderMap, HeaderValue};

    use super::*;

    fn access(allow: &[&str], proxies: &[&str]) -> MetricsAccess {
        MetricsAccess {
            allow: allow.iter().map(|block| block.parse().unwrap()).collect(),
            proxies: TrustedProxies::new(proxies.iter().map(|b| b.parse().unwrap()).collect()),
        }
    }

    fn ip(raw: &str) -> Option<IpAddr> {
        Some(raw.parse().unwrap())
    }

    #[test]
    fn loopback_only_by_default() {
        let access = MetricsAccess::default();
        let none = HeaderMap::new();
        assert!(access.allows(ip("127.0.0.1"), &none));
        assert!(access.allows(ip("127.9.9.9"), &none));
        assert!(access.allows(ip("::1"), &none));
        assert!(access.allows(ip("::ffff:127.0.0.1"), &none));
        assert!(!access.allows(ip("10.0.0.5"), &none));
        assert!(!access.allows(ip("2001:db8::1"), &none));
        assert!(!access.allows(None, &none));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let access = access(&["10.9.0.0/16"], &["127.0.0.1/32"]);
        let mut forwarded = HeaderMap::new();
        forwarded.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.5"));
        // The proxy itself is on loopback, but the client it forwards is not allowed.
        assert!(!access.allows(ip("127.0.0.1"), &forwarded));
        forwarded.insert("x-forwarded-for", HeaderValue::from_static("10.9.1.2"));
        assert!(access.allows(ip("127.0.0.1"), &forwarded));
        // From an untrusted peer the header is ignored.
        assert!(!access.allows(ip("198.51.100.1"), &forwarded));
    }
}
