//! One attempt: POST the signed JSON body to the endpoint, bounded by the attempt timeout,
//! without following redirects or any proxy, only to an address the policy permits (an
//! address in the URL is checked here; a name's addresses by [`CheckedResolver`], on the
//! address actually connected), and say what came back.
//!
//! The error text starts with one of the words the core's `failure_summary` shows on pages
//! ("timed out", "could not connect", "refused", "request failed", or the status); the
//! rest (the cause chain) goes to the log only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sensei_core::ports::HostResolver;
use sensei_core::{AddressPolicy, AttemptResult, WebhookHost, WebhookUrl};

use super::resolve::CheckedResolver;
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
    policy: AddressPolicy,
}

/// The HTTP client could not be built (no TLS provider).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct PosterError(String);

impl Poster {
    /// A client whose every attempt ends within `timeout` (connecting included) and goes
    /// only where `policy` permits, names resolved by `resolver`.
    ///
    /// # Errors
    /// [`PosterError`] when the TLS set-up fails.
    pub fn new(
        timeout: Duration,
        policy: AddressPolicy,
        resolver: Arc<dyn HostResolver>,
    ) -> Result<Self, PosterError> {
        install_tls_provider();
        let checked = CheckedResolver::new(resolver, policy.clone());
        let client = reqwest::Client::builder()
            // A proxy would connect on our behalf to an address we never checked.
            .no_proxy()
            .dns_resolver(Arc::new(checked))
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sensei-webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|error| PosterError(error.to_string()))?;
        Ok(Self { client, policy })
    }

    /// Posts `body` to `url`, signed with `secret` at `timestamp` (unix seconds).
    pub async fn post(
        &self,
        url: &WebhookUrl,
        secret: &str,
        timestamp: i64,
        event_id: i64,
        body: Vec<u8>,
    ) -> AttemptResult {
        // The client resolves names through the checked resolver, but connects to an
        // address written in the URL directly: check it here.
        if let WebhookHost::Address(ip) = url.host() {
            if !self.policy.permits(ip) {
                return AttemptResult {
                    status: None,
                    latency_ms: 0,
                    error: Some(format!(
                        "refused: {ip} is not an address webhooks may go to (--webhook-allow)"
                    )),
                };
            }
        }
        let signature = signature_header(secret, timestamp, &body);
        let started = Instant::now();
        let sent = self
            .client
            .post(url.as_str())
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
    let refused = std::iter::successors(std::error::Error::source(error), |cause| cause.source())
        .any(|cause| cause.is::<super::resolve::ResolveRefusal>());
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if refused {
        "refused".to_owned()
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
