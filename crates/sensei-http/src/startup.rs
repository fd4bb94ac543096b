//! Wiring: the router with its middleware, and the [`Application`] that binds a listener and
//! serves until SIGINT or SIGTERM.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::listener::TcpAcceptor;
use poem::middleware::CatchPanic;
use poem::session::{CookieConfig, CookieSession};
use poem::web::cookie::SameSite;
use poem::{get, EndpointExt, Response, Server};
use sensei_diesel::Database;

use crate::config::{AppConfig, SIGN_IN_COOKIE};
use crate::connections::LimitedAcceptor;
use crate::fallback::{panic_page, render_errors};
use crate::live::LiveHub;
use crate::monitoring::{capture_route, MetricsAccess, MetricsEndpoint, MetricsError};
use crate::pages;
use crate::privacy::private_responses;
use crate::security_headers::security_headers;
use crate::state::{AppState, KeyError};
use crate::telemetry::observe_request;
use crate::webhooks::worker::Worker;
use crate::webhooks::WebhookSettings;

/// How long in-flight requests may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How often histograms are drained when nobody scrapes `/metrics`.
pub const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// The whole service as one endpoint: pages, the JSON API and its reference, private session
/// cookie, security headers, error pages, panic catching, request ids, logs and metrics.
/// Tests drive it with poem's `TestClient`. No `/metrics` (see [`build_router_with`]).
pub fn build_router(state: AppState) -> BoxEndpoint<'static, Response> {
    build_router_with(state, None)
}

/// [`build_router`], with `GET /metrics` served by `metrics` when given.
pub fn build_router_with(
    state: AppState,
    metrics: Option<MetricsEndpoint>,
) -> BoxEndpoint<'static, Response> {
    let cookie = CookieConfig::private(state.security.cookie_key.clone())
        .name(SIGN_IN_COOKIE)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.security.cookie_secure);
    let mut routes = pages::routes().nest(crate::api::PREFIX, crate::api::routes());
    if let Some(metrics) = metrics {
        routes = routes.at("/metrics", get(metrics));
    }
    routes
        .around(capture_route)
        // Inside the session layer: it reads the cookie's sign-in.
        .around(crate::fallback::signed_in_not_found)
        .with(CookieSession::new(cookie))
        .around(private_responses)
        .around(crate::auth::sign_in_gate::sign_in_gate)
        .data(state)
        .around(render_errors)
        .around(security_headers)
        .with(CatchPanic::new().with_handler(panic_page))
        .around(observe_request)
        .boxed()
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The cookie key is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The metrics recorder could not be installed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A bound, ready-to-run service.
pub struct Application {
    address: SocketAddr,
    acceptor: LimitedAcceptor<TcpAcceptor>,
    idle_timeout: Duration,
    router: BoxEndpoint<'static, Response>,
    metrics: MetricsEndpoint,
    /// `--metrics-bind`: `/metrics` on its own listener instead of the main one.
    metrics_listener: Option<(SocketAddr, TcpAcceptor)>,
    /// The webhook use cases and how their delivery worker runs.
    webhooks: (sensei_core::services::WebhookService, WebhookSettings),
    /// The email use cases and how their worker runs.
    email: (
        sensei_core::services::EmailService,
        crate::email::EmailSettings,
    ),
    /// The live stream's hub, stopped with the server.
    live: LiveHub,
}

impl Application {
    /// Builds the state and router, installs the metrics recorder, and binds `config.bind`
    /// (port 0 picks a free port; see [`Application::port`]) and `config.metrics_bind` when
    /// set (else `/metrics` is served on the main address).
    ///
    /// # Errors
    /// [`StartError`] when the key is unusable, the metrics recorder cannot be installed or
    /// an address cannot be bound.
    pub async fn build(config: AppConfig, database: Database) -> Result<Self, StartError> {
        let state = AppState::new(database.clone(), &config)?;
        let metrics =
            MetricsEndpoint::new(crate::monitoring::prometheus()?, Some(database.clone()))
                .with_access(MetricsAccess {
                    allow: config.metrics_allow.clone(),
                    proxies: config.trusted_proxies.clone(),
                });
        let (address, acceptor) = bind(&config.bind).await?;
        let metrics_listener = match &config.metrics_bind {
            Some(metrics_bind) => Some(bind(metrics_bind).await?),
            None => None,
        };
        let on_main = metrics_listener.is_none().then(|| metrics.clone());
        let limits = config.connections;
        let webhooks = (state.webhooks.clone(), config.webhooks);
        if config.email.smtp_url.is_some() {
            // On before the first request, so no event of this process goes without email.
            if let Err(error) = state
                .email
                .keep_enabled(crate::email::worker::KEEP_ON_FOR)
                .await
            {
                tracing::warn!(%error, "could not turn email on yet; the worker keeps trying");
            }
        }
        let email = (state.email.clone(), config.email);
        // One hub per process: it reads each new event once and fans it out to the streams.
        let live = LiveHub::start(
            Arc::new(database.event_feed()),
            database.watch_events(),
            config.live_streams,
        )
        .await;
        Ok(Self {
            address,
            acceptor: LimitedAcceptor::new(acceptor, limits.max_connections, limits.header_timeout),
            idle_timeout: limits.idle_timeout,
            router: build_router_with(state, on_main).data(live.clone()).boxed(),
            live,
            metrics,
            metrics_listener,
            webhooks,
            email,
        })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address of the separate metrics listener (`--metrics-bind`), if any.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|(address, _)| *address)
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` resolves, then lets in-flight requests finish. The webhook
    /// delivery worker runs alongside and stops after the server (attempts in flight finish).
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        let upkeep = {
            let metrics = self.metrics.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(METRICS_UPKEEP);
                loop {
                    every.tick().await;
                    metrics.upkeep();
                }
            })
        };
        let (service, settings) = self.webhooks;
        let worker = Worker::start(service, settings);
        let (email, email_settings) = self.email;
        let email_worker = crate::email::worker::EmailWorker::start(email, email_settings);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let live = self.live.clone();
        let main_signal = async move {
            signal.await;
            // Ends the open streams, which would otherwise hold the shutdown's grace period.
            live.stop();
            let _ = stop.send(true);
        };
        let main = Server::new_with_acceptor(self.acceptor)
            .idle_timeout(self.idle_timeout)
            .run_with_graceful_shutdown(self.router, main_signal, Some(SHUTDOWN_GRACE));
        let result = match self.metrics_listener {
            None => main.await,
            Some((_, acceptor)) => {
                let mut stopped = stopped;
                let metrics_signal = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                let endpoint = poem::Route::new()
                    .at("/metrics", get(self.metrics))
                    .around(observe_request);
                let metrics = Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
                    endpoint,
                    metrics_signal,
                    Some(Duration::from_secs(1)),
                );
                let (main, metrics) = tokio::join!(main, metrics);
                main.and(metrics)
            }
        };
        upkeep.abort();
        if let Some(worker) = worker {
            worker.stop().await;
        }
        if let Some(worker) = email_worker {
            worker.stop().await;
        }
        result
    }
}

/// Binds `address` for the server.
async fn bind(address: &str) -> Result<(SocketAddr, TcpAcceptor), StartError> {
    let bind_error = |source| StartError::Bind {
        address: address.to_owned(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    let acceptor = TcpAcceptor::from_tokio(listener).map_err(bind_error)?;
    Ok((local, acceptor))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
