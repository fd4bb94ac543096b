//! The secret of an instructor's calendar feed: a random token that only its owner knows,
//! kept by the store as a SHA-256 digest, so a copy of the database does not reveal a
//! working feed address.

use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::ids::UserId;
use super::records::SessionListEntry;

/// How many random bytes a feed token carries.
pub const FEED_TOKEN_BYTES: usize = 32;

/// The text length of a feed token: two lowercase hex digits per byte.
pub const FEED_TOKEN_CHARS: usize = FEED_TOKEN_BYTES * 2;

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// A calendar feed's secret as it appears in the feed's address: 64 lowercase hex digits
/// (32 random bytes), safe in a URL as is. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

impl FeedToken {
    /// The token for these random bytes.
    pub fn from_random(bytes: [u8; FEED_TOKEN_BYTES]) -> FeedToken {
        FeedToken(hex(&bytes))
    }

    /// A token from an address: `None` unless exactly [`FEED_TOKEN_CHARS`] lowercase hex
    /// digits, so malformed addresses are refused without a lookup.
    pub fn parse(raw: &str) -> Option<FeedToken> {
        let well_formed = raw.len() == FEED_TOKEN_CHARS
            && raw
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        well_formed.then(|| FeedToken(raw.to_owned()))
    }

    /// The token's text, for the feed's address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest the store keeps and looks tokens up by.
    pub fn hash(&self) -> FeedTokenHash {
        FeedTokenHash(hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken(<redacted>)")
    }
}

/// The SHA-256 digest of a [`FeedToken`]'s text, as 64 lowercase hex digits: what the store
/// keeps instead of the token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedTokenHash(String);

impl FeedTokenHash {
    /// A digest read back from the store.
    pub fn from_stored(raw: impl Into<String>) -> FeedTokenHash {
        FeedTokenHash(raw.into())
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session in an instructor's calendar feed: one they hold under a live claim, with the
/// span of the hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSession {
    /// The session with its student, challenge and holder.
    pub entry: SessionListEntry,
    /// When the hold began: the claim's expiry less the policy's claim time, which is the
    /// moment of the claim or of its latest renewal (each sets the expiry to then plus the
    /// claim time).
    pub held_from: DateTime<Utc>,
    /// When the hold lapses unless renewed: the claim's expiry.
    pub held_until: DateTime<Utc>,
    /// The meeting details the instructor gave with the claim, if any.
    pub meeting: Option<super::meeting::Meeting>,
}

/// What an instructor's calendar feed lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    /// The instructor the feed belongs to.
    pub instructor: UserId,
    /// The instant claims were judged live at.
    pub as_of: DateTime<Utc>,
    /// Every session they hold now, oldest booking first.
    pub sessions: Vec<HeldSession>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_64_hex_digits_of_its_random_bytes() {
        let mut bytes = [0_u8; FEED_TOKEN_BYTES];
        bytes[0] = 0xab;
        bytes[31] = 0x0f;
        let token = FeedToken::from_random(bytes);
        assert_eq!(token.as_str().len(), 64);
        assert!(token.as_str().starts_with("ab00"));
        assert!(token.as_str().ends_with("000f"));
        assert_eq!(FeedToken::parse(token.as_str()), Some(token));
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_tokens_text() {
        let token = FeedToken::from_random([0_u8; FEED_TOKEN_BYTES]);
        // sha256 of 64 ASCII zeros.
        assert_eq!(
            token.hash().as_str(),
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
        );
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = "0".repeat(64);
        assert!(FeedToken::parse(&good).is_some());
        for raw in [
            String::new(),
            "0".repeat(63),
            "0".repeat(65),
            "A".repeat(64),
            "g".repeat(64),
            format!("{}.", "0".repeat(63)),
            "é".repeat(32),
        ] {
            assert_eq!(FeedToken::parse(&raw), None, "{raw:?}");
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let token = FeedToken::from_random([7_u8; FEED_TOKEN_BYTES]);
        assert_eq!(format!("{token:?}"), "FeedToken(<redacted>)");
    }
}
