//! API tokens: secrets that scripts and services send as `Authorization: Bearer` to act as
//! their owner on the JSON API. A token is shown once when made; the store keeps only its
//! SHA-256 digest, so a copy of the database holds no working token.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::calendar::hex;
use super::ids::{ApiTokenId, UserId};

/// Every token starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "sst_";

/// How many random bytes a token carries (256 bits).
pub const API_TOKEN_BYTES: usize = 32;

/// The text length of a token: the prefix and two lowercase hex digits per byte.
pub const API_TOKEN_CHARS: usize = API_TOKEN_PREFIX.len() + API_TOKEN_BYTES * 2;

/// How long a token lasts unless told otherwise.
pub const DEFAULT_API_TOKEN_DAYS: i64 = 90;

/// The longest a token may last: a forgotten token should not work for ever.
pub const MAX_API_TOKEN_DAYS: i64 = 365;

/// The longest name a token may have, in characters.
pub const MAX_API_TOKEN_NAME_CHARS: usize = 100;

/// Last use is written at most this often per token, so a busy script costs one write a
/// minute, not one per request.
pub const LAST_USE_RESOLUTION: Duration = Duration::minutes(1);

/// An API token as its owner sends it: `sst_` and 64 lowercase hex digits. Its `Debug`
/// hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// The token for these random bytes.
    pub fn from_random(bytes: [u8; API_TOKEN_BYTES]) -> ApiToken {
        ApiToken(format!("{API_TOKEN_PREFIX}{}", hex(&bytes)))
    }

    /// A token from a request: `None` unless it has the prefix and exactly 64 lowercase hex
    /// digits, so malformed tokens are refused without a lookup.
    pub fn parse(raw: &str) -> Option<ApiToken> {
        let digits = raw.strip_prefix(API_TOKEN_PREFIX)?;
        let well_formed = digits.len() == API_TOKEN_BYTES * 2
            && digits
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        well_formed.then(|| ApiToken(raw.to_owned()))
    }

    /// The token's text, to show its owner once.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest the store keeps and looks tokens up by.
    pub fn hash(&self) -> ApiTokenHash {
        ApiTokenHash(hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// The SHA-256 digest of an [`ApiToken`]'s text, as 64 lowercase hex digits: what the store
/// keeps instead of the token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiTokenHash(String);

impl ApiTokenHash {
    /// A digest read back from the store.
    pub fn from_stored(raw: impl Into<String>) -> ApiTokenHash {
        ApiTokenHash(raw.into())
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a token's name or lifetime was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiTokenInputError {
    /// The name is longer than [`MAX_API_TOKEN_NAME_CHARS`].
    #[error("the token name has {0} characters; at most {MAX_API_TOKEN_NAME_CHARS} are allowed")]
    NameTooLong(usize),
    /// The name holds control characters (a line break, NUL...).
    #[error("the token name may not contain control characters such as line breaks")]
    NameControl,
    /// The lifetime is not written as days (`90d`).
    #[error("{0:?} is not a token lifetime: write a number of days such as 30d or 90d")]
    LifetimeFormat(String),
    /// The lifetime is zero or longer than [`MAX_API_TOKEN_DAYS`].
    #[error("a token lasts 1 to {MAX_API_TOKEN_DAYS} days, not {0}")]
    LifetimeRange(i64),
}

/// A token's name, for its owner to tell tokens apart ("nightly export"): trimmed, at most
/// [`MAX_API_TOKEN_NAME_CHARS`] characters, no control characters; may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiTokenName(String);

impl ApiTokenName {
    /// The name from what someone typed.
    ///
    /// # Errors
    /// [`ApiTokenInputError::NameTooLong`], [`ApiTokenInputError::NameControl`].
    pub fn new(raw: &str) -> Result<ApiTokenName, ApiTokenInputError> {
        let name = raw.trim();
        if name.chars().any(char::is_control) {
            return Err(ApiTokenInputError::NameControl);
        }
        let chars = name.chars().count();
        if chars > MAX_API_TOKEN_NAME_CHARS {
            return Err(ApiTokenInputError::NameTooLong(chars));
        }
        Ok(ApiTokenName(name.to_owned()))
    }

    /// A name read back from the store.
    pub fn from_stored(raw: impl Into<String>) -> ApiTokenName {
        ApiTokenName(raw.into())
    }

    /// The name (possibly empty).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a new token lasts: 1 to [`MAX_API_TOKEN_DAYS`] days, [`DEFAULT_API_TOKEN_DAYS`]
/// by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiTokenLifetime {
    days: i64,
}

impl Default for ApiTokenLifetime {
    fn default() -> Self {
        Self {
            days: DEFAULT_API_TOKEN_DAYS,
        }
    }
}

impl ApiTokenLifetime {
    /// A lifetime of `days` days.
    ///
    /// # Errors
    /// [`ApiTokenInputError::LifetimeRange`] outside 1 to [`MAX_API_TOKEN_DAYS`].
    pub fn days(days: i64) -> Result<ApiTokenLifetime, ApiTokenInputError> {
        if (1..=MAX_API_TOKEN_DAYS).contains(&days) {
            Ok(ApiTokenLifetime { days })
        } else {
            Err(ApiTokenInputError::LifetimeRange(days))
        }
    }

    /// A lifetime written as days: `90d` (or `90`).
    ///
    /// # Errors
    /// [`ApiTokenInputError::LifetimeFormat`], [`ApiTokenInputError::LifetimeRange`].
    pub fn parse(raw: &str) -> Result<ApiTokenLifetime, ApiTokenInputError> {
        let text = raw.trim();
        let digits = text.strip_suffix(['d', 'D']).unwrap_or(text);
        let days: i64 = digits
            .parse()
            .map_err(|_| ApiTokenInputError::LifetimeFormat(raw.to_owned()))?;
        ApiTokenLifetime::days(days)
    }

    /// The number of days.
    pub fn in_days(self) -> i64 {
        self.days
    }

    /// When a token made at `now` expires.
    pub fn expiry_from(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::days(self.days)
    }
}

/// A token to store: its owner, name, digest and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// Whose permissions the token carries.
    pub owner: UserId,
    /// Its name.
    pub name: ApiTokenName,
    /// The digest of its secret.
    pub hash: ApiTokenHash,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A token as listed (never its secret or digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// Its id.
    pub id: ApiTokenId,
    /// Its owner.
    pub owner: UserId,
    /// The owner's email.
    pub owner_email: String,
    /// Its name.
    pub name: ApiTokenName,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was last used (to the minute), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Whether a listed token still works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiTokenStatus {
    /// It works.
    Active,
    /// Its lifetime is over.
    Expired,
    /// Someone revoked it.
    Revoked,
}

impl ApiTokenStatus {
    /// The status as a lowercase word (`active`, `expired`, `revoked`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiTokenStatus::Active => "active",
            ApiTokenStatus::Expired => "expired",
            ApiTokenStatus::Revoked => "revoked",
        }
    }
}

impl ApiTokenRecord {
    /// Whether the token works at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> ApiTokenStatus {
        if self.revoked_at.is_some() {
            ApiTokenStatus::Revoked
        } else if is_expired(self.expires_at, now) {
            ApiTokenStatus::Expired
        } else {
            ApiTokenStatus::Active
        }
    }
}

/// Whether a token expiring at `expires_at` has expired at `now` (the instant of expiry
/// included).
pub fn is_expired(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at <= now
}

/// Whether a use at `now` should be written, given the last one written: never used, or
/// last written at least [`LAST_USE_RESOLUTION`] ago (a clock that went back counts as
/// recent, so it writes nothing).
pub fn last_use_is_due(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used_at.is_none_or(|last| now - last >= LAST_USE_RESOLUTION)
}

#[cfg(test)]
#[path = "api_token_tests.rs"]
mod tests;
