//! Managing accounts (the operator's `sensei user ...`, the admins' accounts page), the record
//! of who changed what, and hashing new passwords.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    AccountSummary, ChangeActor, NewAccountChange, NewPassword, PasswordFormat, RecordedChange,
    Role, UserId,
};
use crate::error::RepositoryError;

/// What creating an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateAccountOutcome {
    /// The account exists now, with this id.
    Created(UserId),
    /// Another account has the email; nothing was saved.
    EmailTaken,
}

/// A new account to store.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The email, normalized and checked ([`crate::account_email`]).
    pub email: String,
    /// The role.
    pub role: Role,
    /// The password's hash.
    pub password_hash: String,
    /// When (also the recorded change's time).
    pub created_at: DateTime<Utc>,
    /// Whether it came from an import (recorded as [`crate::AccountChange::AccountImported`]).
    pub imported: bool,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("imported", &self.imported)
            .finish()
    }
}

/// What changing an existing account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountUpdate {
    /// Done (or nothing needed doing) to the account with this id.
    Done(UserId),
    /// No account has the email; nothing was changed.
    NoSuchAccount,
    /// Refused by [`crate::keeps_an_admin`]: it would leave no enabled admin.
    LastAdmin,
}

/// Which accounts a list shows: a page of them by email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountQuery {
    /// Only emails containing this text (already lower-case).
    pub email_contains: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Only emails after this one (the keyset cursor of the next page).
    pub after_email: Option<String>,
}

/// Accounts as an operator or an admin manages them. Emails given here are already
/// normalized ([`crate::normalize_email`]).
///
/// Every change is recorded ([`AccountChange`], by `by` at `at`) in the same unit of work as
/// the change itself, so the record exists exactly when the change does.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountAdminStore: Send + Sync {
    /// Creates an enabled account and records [`crate::AccountChange::AccountAdded`] (or
    /// `AccountImported`).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when it cannot take the values.
    async fn create_account(
        &self,
        account: NewAccount,
        by: &ChangeActor,
    ) -> Result<CreateAccountOutcome, RepositoryError>;

    /// The accounts `query` selects, by email, at most `limit` of them.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a stored account cannot be read.
    async fn list_accounts(
        &self,
        query: &AccountQuery,
        limit: u32,
    ) -> Result<Vec<AccountSummary>, RepositoryError>;

    /// Sets the role of the account with this email, unless [`crate::keeps_an_admin`]
    /// refuses; records [`crate::AccountChange::RoleChanged`] when the role changed.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_role(
        &self,
        email: &str,
        role: Role,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError>;

    /// Replaces the password hash of the account with this email and records
    /// [`crate::AccountChange::PasswordSet`]. Sign-ins already made are kept.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_password_hash(
        &self,
        email: &str,
        hash: &str,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError>;

    /// Disables the account with this email at `at` and ends every sign-in it has (unless
    /// [`crate::keeps_an_admin`] refuses), or enables it again; records
    /// [`crate::AccountChange::Disabled`] / `Enabled` when its state changed. An account already
    /// disabled keeps its first date.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn set_disabled(
        &self,
        email: &str,
        disabled: bool,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError>;

    /// Erases the person with this email, in one unit of work (unless
    /// [`crate::keeps_an_admin`] refuses): the account keeps its id and numbers but its email
    /// becomes [`crate::erased_email`], its password hash is cleared and it is disabled; its
    /// sign-ins and calendar feed are deleted; the notes written by or for it and its cancel
    /// reasons in scheduled sessions, and the details of its sessions' audit events, become
    /// [`crate::ERASED_TEXT`]; and [`crate::AccountChange::Erased`] is recorded. Running it again on
    /// an erased account changes nothing more.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn erase_account(
        &self,
        email: &str,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError>;

    /// Records a change on its own (for changes whose store has no transaction of its own
    /// to record it in).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn record_change(&self, change: NewAccountChange) -> Result<(), RepositoryError>;

    /// The recorded changes, newest first, older than the change `before` (all when
    /// `None`), at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn list_changes(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RecordedChange>, RepositoryError>;
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
