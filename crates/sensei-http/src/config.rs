//! The service's configuration: what [`crate::startup::Application::build`] needs, built by
//! the CLI from flags and environment variables (see docs/configuration.md).

use std::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use poem::http::HeaderName;
use sensei_core::Policy;

/// The least key material accepted for the session cookie (encryption and signing keys are
/// taken from it).
pub const MIN_COOKIE_KEY_BYTES: usize = 64;

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
        let is_hex = raw.len() % 2 == 0 && raw.bytes().all(|byte| byte.is_ascii_hexdigit());
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
    /// When set, the request header that carries the signed-in user's email (only behind a
    /// proxy that sets it and strips it from clients).
    pub trusted_header: Option<HeaderName>,
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
}
