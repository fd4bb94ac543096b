//! The `Sensei-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, keyed
//! with the endpoint's secret as shown (its 64 hex characters, as bytes).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const SIGNATURE_HEADER: &str = "Sensei-Signature";

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"` with `secret`.
pub fn hmac_hex(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The header's value for `body` sent at `timestamp`.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hmac_hex(secret, timestamp, body))
}

/// Checks a header value against `body` and `secret` (constant-time comparison), as a
/// receiver does: what the tests and the docs' examples do.
pub fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signature = Some(value.to_owned()),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    let expected = hmac_hex(secret, timestamp, body);
    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // The value `openssl dgst -sha256 -hmac key` prints for `1700000000.{"id":1}`.
        assert_eq!(
            hmac_hex("key", 1_700_000_000, br#"{"id":1}"#),
            "1d542af0cd7355fefa5c19021ad89d3e2afd77ebff5448db280f180e013d2651"
        );
        let header = signature_header("key", 1_700_000_000, b"{}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify("key", &header, b"{}"));
        assert!(!verify("other", &header, b"{}"));
        assert!(!verify("key", &header, b"{ }"));
        assert!(!verify("key", "t=1,v1=zz", b"{}"));
        assert!(!verify("key", "garbage", b"{}"));
    }
}
