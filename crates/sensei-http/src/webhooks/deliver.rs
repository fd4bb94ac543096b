//! One attempt: POST the signed JSON body to the endpoint, bounded by the attempt timeout,
//! without following redirects, and say what came back.

use std::time::{Duration, Instant};

use sensei_core::AttemptResult;

use super::sign::{signature_header, SIGNATURE_HEADER};

/// Installs ring as the process's TLS provider (reqwest is built without one, to keep
/// aws-lc out of the build); does nothing when one is installed already. Every
/// `reqwest::Client` of the process, tests' included, needs it before it is built.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Posts webhook bodies. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Poster {
    client: reqwest::Client,
}

/// The HTTP client could not be built (no TLS provider).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct PosterError(String);

impl Poster {
    /// A client whose every attempt ends within `timeout` (connecting included).
    ///
    /// # Errors
    /// [`PosterError`] when the TLS set-up fails.
    pub fn new(timeout: Duration) -> Result<Self, PosterError> {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sensei-webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|error| PosterError(error.to_string()))?;
        Ok(Self { client })
    }

    /// Posts `body` to `url`, signed with `secret` at `timestamp` (unix seconds).
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        timestamp: i64,
        event_id: i64,
        body: Vec<u8>,
    ) -> AttemptResult {
        let signature = signature_header(secret, timestamp, &body);
        let started = Instant::now();
        let sent = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header("Sensei-Event-Id", event_id.to_string())
            .body(body)
            .send()
            .await;
        let latency_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        match sent {
            Ok(response) => {
                let status = response.status();
                AttemptResult {
                    status: Some(status.as_u16()),
                    latency_ms,
                    error: (!status.is_success())
                        .then(|| format!("the receiver answered {status}")),
                }
            }
            Err(error) => AttemptResult {
                status: None,
                latency_ms,
                error: Some(describe(&error)),
            },
        }
    }
}

/// The error and its causes on one line ("timed out", "connection refused", ...).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
