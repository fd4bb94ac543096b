//! Accounts and sign-ins: who a request is from. A *sign-in* is a server-side record that a
//! user proved their password; it is never called a "session", which in this domain means a
//! scheduled sensei session.

use std::fmt;

use chrono::Duration;

use super::actor::{Actor, Role};
use super::ids::UserId;

/// How long a sign-in lasts.
pub const SIGN_IN_LIFETIME: Duration = Duration::hours(12);

/// The stored form of an email: trimmed and lowercased, so `Alice@Example.com` and
/// `alice@example.com` are one account. Adapters store and look up emails through this.
///
/// ```
/// assert_eq!(sensei_core::normalize_email("  Alice@Example.COM "), "alice@example.com");
/// ```
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A user who can sign in, as the rest of the system sees them (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The user's id.
    pub id: UserId,
    /// The email address (the login name), normalized.
    pub email: String,
    /// Student, instructor or admin.
    pub role: Role,
}

impl Account {
    /// The actor the use cases run as.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role,
        }
    }
}

/// An account with its password hash, as the account store returns it for sign-in only.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredAccount {
    /// The account.
    pub account: Account,
    /// The password hash: a PHC string such as `$argon2id$...`, or one of the platform's
    /// Werkzeug hashes (`scrypt:...`, `pbkdf2:sha256:...`).
    pub password_hash: String,
    /// Whether an operator disabled the account: then it cannot sign in.
    pub disabled: bool,
}

impl fmt::Debug for StoredAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredAccount")
            .field("account", &self.account)
            .field("password_hash", &"<redacted>")
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// The secret that identifies a sign-in (the cookie carries it). Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SignInToken(String);

impl SignInToken {
    /// Wraps a token an adapter made or received.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SignInToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignInToken(<redacted>)")
    }
}

/// A sign-in that just started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Who signed in.
    pub account: Account,
    /// The new sign-in's token, for the cookie.
    pub token: SignInToken,
}
