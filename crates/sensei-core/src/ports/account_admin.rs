//! Managing accounts (the operator's `sensei user ...`) and hashing new passwords.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{AccountSummary, NewPassword, PasswordFormat, Role, UserId};
use crate::error::RepositoryError;

/// What creating an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateAccountOutcome {
    /// The account exists now, with this id.
    Created(UserId),
    /// Another account has the email; nothing was saved.
    EmailTaken,
}

/// Accounts as an operator manages them. Emails given here are already normalized
/// ([`crate::normalize_email`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountAdminStore: Send + Sync {
    /// Creates an account with this role and password hash, created at `now`, enabled.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when it cannot take the values.
    async fn create_account(
        &self,
        email: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<CreateAccountOutcome, RepositoryError>;

    /// Every account, by email, at most `limit` of them.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a stored account cannot be read.
    async fn list_accounts(&self, limit: u32) -> Result<Vec<AccountSummary>, RepositoryError>;

    /// Sets the role of the account with this email; `Ok(false)` when there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_role(&self, email: &str, role: Role) -> Result<bool, RepositoryError>;

    /// Replaces the password hash of the account with this email; `Ok(false)` when there is
    /// none. Sign-ins already made are kept.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, RepositoryError>;

    /// Disables the account with this email (`Some(when)`) and ends every sign-in it has, in
    /// one unit of work; or enables it again (`None`). An account already disabled keeps its
    /// first date. `Ok(false)` when there is no such account.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_disabled(
        &self,
        email: &str,
        disabled_at: Option<DateTime<Utc>>,
    ) -> Result<bool, RepositoryError>;
}

/// Hashes new passwords. Hashing is deliberately slow (a memory-hard hash), so
/// implementations run it off the async runtime, with the same bound as verification.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// The hash of `password` in `format`, with a fresh random salt.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when no hashing can start in time;
    /// [`RepositoryError::Internal`] when no salt can be drawn.
    async fn hash(
        &self,
        password: NewPassword,
        format: PasswordFormat,
    ) -> Result<String, RepositoryError>;
}
