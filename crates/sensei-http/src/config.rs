//! The service's configuration: what [`crate::startup::Application::build`] needs, built by
//! the CLI from flags and environment variables (see docs/configuration.md).

use std::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use ipnet::IpNet;
use poem::http::HeaderName;
use sensei_core::Policy;

use crate::client_ip::TrustedProxies;
use crate::throttle::SignInLimits;

/// The least key material accepted for the session cookie (encryption and signing keys are
/// taken from it).
pub const MIN_COOKIE_KEY_BYTES: usize = 64;

/// The name of the cookie that carries the sign-in (a private, encrypted cookie).
pub const SIGN_IN_COOKIE: &str = "sensei_session";

/// The secret that encrypts and authenticates the session cookie. Its `Debug` never shows it.
#[derive(Clone)]
pub struct CookieSecret(Vec<u8>);

/// Why a cookie key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieSecretError {
    /// Neither hex nor base64.
    #[error("SENSEI_COOKIE_KEY must be hex or base64")]
    Encoding,
    /// Too short.
    #[error("SENSEI_COOKIE_KEY must hold at least {min} bytes of key material, got {0}", min = MIN_COOKIE_KEY_BYTES)]
    TooShort(usize),
    /// The OS random source failed.
    #[error("could not draw a random cookie key: {0}")]
    Random(String),
}

impl CookieSecret {
    /// Parses hex or base64 (standard or URL-safe, padded or not) of at least
    /// [`MIN_COOKIE_KEY_BYTES`] bytes.
    ///
    /// # Errors
    /// [`CookieSecretError`] when the text is neither encoding or too short.
    pub fn parse(raw: &str) -> Result<Self, CookieSecretError> {
        let raw = raw.trim();
        let is_hex =
            raw.len().is_multiple_of(2) && raw.bytes().all(|byte| byte.is_ascii_hexdigit());
        let bytes = if is_hex {
            hex::decode(raw).map_err(|_| CookieSecretError::Encoding)?
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(raw).ok())
                .ok_or(CookieSecretError::Encoding)?
        };
        if bytes.len() < MIN_COOKIE_KEY_BYTES {
            return Err(CookieSecretError::TooShort(bytes.len()));
        }
        Ok(Self(bytes))
    }

    /// A fresh random key (sessions then end when the process stops).
    ///
    /// # Errors
    /// [`CookieSecretError::Random`] if the OS random source fails.
    pub fn generate() -> Result<Self, CookieSecretError> {
        let mut bytes = vec![0_u8; MIN_COOKIE_KEY_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|error| CookieSecretError::Random(error.to_string()))?;
        Ok(Self(bytes))
    }

    /// The key material.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieSecret(<redacted>)")
    }
}

/// Everything the HTTP service needs besides the database.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Where to listen, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: String,
    /// The session cookie's key.
    pub cookie_key: CookieSecret,
    /// Whether the session cookie is marked `Secure` (set it when served over HTTPS).
    pub cookie_secure: bool,
    /// The scheduling policy (engagement threshold, dedup window).
    pub policy: Policy,
    /// When set, the request header that carries the signed-in user's email, and the proxies
    /// whose requests may carry it.
    pub trusted_header: Option<TrustedHeader>,
    /// The reverse proxies whose forwarded client address (`X-Forwarded-For`) counts for the
    /// sign-in limits and access rules (`--trusted-proxy`).
    pub trusted_proxies: TrustedProxies,
    /// Sign-in attempts allowed per account and per client address.
    pub sign_in_limits: SignInLimits,
    /// Limits on client connections.
    pub connections: ConnectionLimits,
    /// Caps on open live streams (`GET /api/v1/events`), per account and per process.
    pub live_streams: sensei_core::StreamCaps,
    /// Where `/metrics` is served: on its own listener at this address, or (when `None`) on
    /// the main one.
    pub metrics_bind: Option<String>,
    /// The client addresses that may read `/metrics` (others get 404), on whichever listener
    /// serves it.
    pub metrics_allow: Vec<IpNet>,
    /// The webhook delivery worker.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Email to students (off unless an SMTP server is given).
    pub email: crate::email::EmailSettings,
}

/// The trusted-header identity mode: an authenticating proxy in front of the service names
/// the signed-in user's email in a header. Only requests whose peer address is one of the
/// proxies may carry it; from anyone else the header is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedHeader {
    /// The header, e.g. `x-forwarded-email`.
    pub name: HeaderName,
    /// The proxies' addresses (CIDR blocks; a plain address is a /32 or /128).
    pub proxies: Vec<IpNet>,
}

impl TrustedHeader {
    /// Whether a request from `peer` may carry the header.
    pub fn is_trusted_peer(&self, peer: IpAddr) -> bool {
        let peer = crate::client_ip::canonical(peer);
        self.proxies.iter().any(|proxy| proxy.contains(&peer))
    }
}

/// Parses a proxy address: a CIDR block (`10.0.0.0/8`, `::1/128`) or a plain address.
///
/// # Errors
/// A message naming the value when it is neither.
pub fn parse_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is not an IP address or CIDR block (e.g. 10.0.0.0/8)"))
}

/// Limits on client connections, so slow or idle clients cannot hold the server's sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive in full within this time of its first byte (and a new
    /// connection must send them within this time of connecting).
    pub header_timeout: Duration,
    /// A connection with no traffic for this long is closed (idle keep-alive).
    pub idle_timeout: Duration,
    /// At most this many client connections are open at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    /// Headers within 10 s, idle connections closed after 60 s, at most 4,096 connections.
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
}

impl AppConfig {
    /// A configuration for tests and embedding: loopback port 0, a fresh key, the default
    /// policy, no trusted header.
    ///
    /// # Errors
    /// [`CookieSecretError::Random`] if the OS random source fails.
    pub fn for_tests() -> Result<Self, CookieSecretError> {
        Ok(Self {
            bind: "127.0.0.1:0".to_owned(),
            cookie_key: CookieSecret::generate()?,
            cookie_secure: false,
            policy: Policy::default(),
            trusted_header: None,
            trusted_proxies: TrustedProxies::default(),
            sign_in_limits: SignInLimits::default(),
            connections: ConnectionLimits::default(),
            live_streams: sensei_core::StreamCaps::default(),
            metrics_bind: None,
            metrics_allow: crate::monitoring::endpoint::loopback(),
            webhooks: crate::webhooks::WebhookSettings::default(),
            email: crate::email::EmailSettings::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_keys_parse_from_hex_and_base64_and_must_be_long_enough() {
        let hex_key = "ab".repeat(64);
        assert_eq!(CookieSecret::parse(&hex_key).unwrap().bytes().len(), 64);
        let b64 = STANDARD.encode([7_u8; 96]);
        assert_eq!(CookieSecret::parse(&b64).unwrap().bytes().len(), 96);
        assert_eq!(
            CookieSecret::parse("abcd").unwrap_err(),
            CookieSecretError::TooShort(2)
        );
        assert_eq!(
            CookieSecret::parse("not base64 !!").unwrap_err(),
            CookieSecretError::Encoding
        );
        assert!(!format!("{:?}", CookieSecret::parse(&hex_key).unwrap()).contains("ab"));
    }

    #[test]
    fn only_listed_proxies_may_carry_the_trusted_header() {
        let header = TrustedHeader {
            name: HeaderName::from_static("x-forwarded-email"),
            proxies: vec![
                parse_proxy("10.1.0.0/16").unwrap(),
                parse_proxy("::1").unwrap(),
            ],
        };
        assert!(header.is_trusted_peer("10.1.2.3".parse().unwrap()));
        assert!(header.is_trusted_peer("::ffff:10.1.2.3".parse().unwrap()));
        assert!(header.is_trusted_peer("::1".parse().unwrap()));
        assert!(!header.is_trusted_peer("10.2.0.1".parse().unwrap()));
        assert!(!header.is_trusted_peer("127.0.0.1".parse().unwrap()));
        assert!(parse_proxy("not-an-address").is_err());
        assert!(parse_proxy("10.0.0.0/33").is_err());
    }
}
