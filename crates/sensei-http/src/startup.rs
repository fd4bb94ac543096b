//! Wiring: the router with its middleware, and the [`Application`] that binds a listener and
//! serves until SIGINT or SIGTERM.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::listener::TcpAcceptor;
use poem::middleware::{CatchPanic, SetHeader};
use poem::session::{CookieConfig, CookieSession};
use poem::web::cookie::SameSite;
use poem::{EndpointExt, Response, Server};
use sensei_diesel::Database;

use crate::config::AppConfig;
use crate::connections::LimitedAcceptor;
use crate::fallback::{panic_page, render_errors};
use crate::pages;
use crate::privacy::private_responses;
use crate::state::{AppState, KeyError};
use crate::telemetry::log_request;

/// The name of the cookie that carries the sign-in (a private, encrypted cookie).
pub const SIGN_IN_COOKIE: &str = "sensei_session";

/// How long in-flight requests may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The whole service as one endpoint: pages, private session cookie, security headers,
/// error pages, panic catching and request logs. Tests drive it with poem's `TestClient`.
pub fn build_router(state: AppState) -> BoxEndpoint<'static, Response> {
    let cookie = CookieConfig::private(state.security.cookie_key.clone())
        .name(SIGN_IN_COOKIE)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.security.cookie_secure);
    let security_headers = SetHeader::new()
        .overriding("X-Content-Type-Options", "nosniff")
        .overriding("X-Frame-Options", "DENY")
        .overriding("Referrer-Policy", "same-origin")
        .overriding(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self'; script-src 'none'; object-src 'none'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        );
    pages::routes()
        .nest(crate::api::PREFIX, crate::api::routes())
        .with(CookieSession::new(cookie))
        .around(private_responses)
        .data(state)
        .around(render_errors)
        .with(security_headers)
        .with(CatchPanic::new().with_handler(panic_page))
        .around(log_request)
        .boxed()
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The cookie key is unusable.
    #[error(transparent)]
    Key(#[from] KeyError),
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
}

impl Application {
    /// Builds the state and router and binds `config.bind` (port 0 picks a free port; see
    /// [`Application::port`]).
    ///
    /// # Errors
    /// [`StartError`] when the key is unusable or the address cannot be bound.
    pub async fn build(config: AppConfig, database: Database) -> Result<Self, StartError> {
        let state = AppState::new(database, &config)?;
        let bind_error = |source| StartError::Bind {
            address: config.bind.clone(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(&config.bind)
            .await
            .map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let acceptor = TcpAcceptor::from_tokio(listener).map_err(bind_error)?;
        let limits = config.connections;
        Ok(Self {
            address,
            acceptor: LimitedAcceptor::new(acceptor, limits.max_connections, limits.header_timeout),
            idle_timeout: limits.idle_timeout,
            router: build_router(state),
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

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` resolves, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        Server::new_with_acceptor(self.acceptor)
            .idle_timeout(self.idle_timeout)
            .run_with_graceful_shutdown(self.router, signal, Some(SHUTDOWN_GRACE))
            .await
    }
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
