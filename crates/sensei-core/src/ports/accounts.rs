//! Accounts and sign-ins, and password verification.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{Account, SignInToken, StoredAccount, UserId};
use crate::error::RepositoryError;

/// Accounts and their server-side sign-ins.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// The account with this email, compared as [`crate::normalize_email`] gives it, with its
    /// password hash and whether it is disabled; `Ok(None)` if there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when it cannot take the email at all (bytes it cannot
    /// store); [`RepositoryError::Internal`] when the stored account cannot be read.
    async fn find_by_email(&self, email: &str) -> Result<Option<StoredAccount>, RepositoryError>;

    /// Records a sign-in of `user` valid until `expires_at` and returns its new, unguessable
    /// token. May also remove a bounded number of expired sign-ins.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when the user does not exist;
    /// [`RepositoryError::Internal`] when no token can be made.
    async fn start_sign_in(
        &self,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<SignInToken, RepositoryError>;

    /// The account signed in with `token`, if that sign-in exists and expires after `now`
    /// and the account is not disabled, with the account's current email and role;
    /// `Ok(None)` otherwise. Every signed-in
    /// request calls this, so it should be one indexed lookup.
    ///
    /// # Errors
    /// As [`AccountRepository::find_by_email`].
    async fn signed_in_account(
        &self,
        token: &SignInToken,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, RepositoryError>;

    /// Ends the sign-in with this token, so no copy of it works any more; nothing happens
    /// when there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn end_sign_in(&self, token: &SignInToken) -> Result<(), RepositoryError>;
}

/// Checks passwords against stored hashes. Verification is deliberately slow (a memory-hard
/// hash), so implementations run it off the async runtime and bound how many run at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordVerifier: Send + Sync {
    /// Whether `password` matches `hash`. With `hash` `None` (no such account) it must take
    /// as long as a real check and return `false`, so timing does not reveal which emails
    /// have accounts. A malformed hash never matches.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when no check can start in time (too many at once).
    async fn verify(&self, password: String, hash: Option<String>)
        -> Result<bool, RepositoryError>;
}

/// For embedders that authenticate users themselves and pass [`crate::Actor`]s to the use
/// cases: no account exists, so every sign-in is refused and no token resolves.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAccounts;

#[async_trait]
impl AccountRepository for NoAccounts {
    async fn find_by_email(&self, _email: &str) -> Result<Option<StoredAccount>, RepositoryError> {
        Ok(None)
    }

    async fn start_sign_in(
        &self,
        user: UserId,
        _expires_at: DateTime<Utc>,
    ) -> Result<SignInToken, RepositoryError> {
        Err(RepositoryError::Rejected(format!(
            "user {user} cannot sign in: this store keeps no accounts"
        )))
    }

    async fn signed_in_account(
        &self,
        _token: &SignInToken,
        _now: DateTime<Utc>,
    ) -> Result<Option<Account>, RepositoryError> {
        Ok(None)
    }

    async fn end_sign_in(&self, _token: &SignInToken) -> Result<(), RepositoryError> {
        Ok(())
    }
}

#[async_trait]
impl PasswordVerifier for NoAccounts {
    async fn verify(
        &self,
        _password: String,
        _hash: Option<String>,
    ) -> Result<bool, RepositoryError> {
        Ok(false)
    }
}
