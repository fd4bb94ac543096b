//! Request ids: taken from `X-Request-Id` when the client (or a proxy) sent a well-formed one,
//! made up otherwise; echoed in the response and carried by every log line of the request.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use poem::http::HeaderValue;

/// The header that carries the id, in requests and responses.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest id taken from a request.
pub const MAX_LEN: usize = 64;

/// A request's id: 1 to [`MAX_LEN`] characters of `[A-Za-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id in `raw` when it is well-formed.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = (1..=MAX_LEN).contains(&raw.len())
            && raw
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
        well_formed.then(|| Self(raw.to_owned()))
    }

    /// The id the request carries if it is well-formed, otherwise a new one (a malformed id is
    /// replaced, never echoed).
    pub fn take_or_make(header: Option<&HeaderValue>) -> Self {
        header
            .and_then(|value| value.to_str().ok())
            .and_then(Self::parse)
            .unwrap_or_else(Self::generate)
    }

    /// A new id: 16 random bytes in hex. Should the OS random source fail, a process-unique
    /// id from the clock and a counter (ids are for finding log lines, not secrets).
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos());
            let count = NEXT.fetch_add(1, Ordering::Relaxed);
            return Self(format!("{nanos:x}-{}-{count:x}", std::process::id()));
        }
        Self(hex::encode(bytes))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a header value.
    pub fn header_value(&self) -> Option<HeaderValue> {
        HeaderValue::from_str(&self.0).ok()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_ids_are_kept_and_others_replaced() {
        assert_eq!(RequestId::parse("abc-123").unwrap().as_str(), "abc-123");
        assert!(RequestId::parse("A.b_C-9").is_some());
        assert!(RequestId::parse(&"x".repeat(64)).is_some());
        assert!(RequestId::parse(&"x".repeat(65)).is_none());
        assert!(RequestId::parse("").is_none());
        assert!(RequestId::parse("has space").is_none());
        assert!(RequestId::parse("new\nline").is_none());
        let header = HeaderValue::from_static("bad id!");
        let made = RequestId::take_or_make(Some(&header));
        assert_ne!(made.as_str(), "bad id!");
        assert_eq!(made.as_str().len(), 32);
        assert!(RequestId::parse(made.as_str()).is_some());
        assert_ne!(RequestId::generate(), RequestId::generate());
    }
}
