//! Errors of managing accounts (the operator's `sensei user ...`).

use super::{DomainError, ErrorDeclaration, RepositoryError};
use crate::domain::{EmailError, LastAdmin, PasswordError};

/// Errors of adding accounts and changing their role, password or state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The email was refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    InvalidEmail(#[from] EmailError),
    /// Not one of the roles.
    #[error("unknown role {0:?}: use student, instructor or admin")]
    UnknownRole(String),
    /// The password was refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    InvalidPassword(#[from] PasswordError),
    /// Another account has this email.
    #[error("{0} already has an account")]
    EmailTaken(String),
    /// The same email came earlier in the same import.
    #[error("{email} is a duplicate of line {first_line}")]
    DuplicateRow {
        /// The email, normalized.
        email: String,
        /// The line that had it first.
        first_line: u64,
    },
    /// No account has this email.
    #[error("there is no account for {0}")]
    NoSuchAccount(String),
    /// Only admins (and operators) manage accounts.
    #[error("only admins manage accounts")]
    Forbidden,
    /// The account was erased: it keeps its id for the records and is never changed again.
    #[error("{0} is an erased account: it cannot be changed (add a new account instead)")]
    Erased(String),
    /// The change would leave no enabled admin; nothing was changed.
    #[error("{0}; nothing was changed")]
    LastAdmin(#[from] LastAdmin),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for AccountError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            AccountError::InvalidEmail(_) => &ErrorDeclaration::INVALID_EMAIL,
            AccountError::UnknownRole(_) => &ErrorDeclaration::UNKNOWN_ROLE,
            AccountError::InvalidPassword(_) => &ErrorDeclaration::INVALID_PASSWORD,
            AccountError::EmailTaken(_) | AccountError::DuplicateRow { .. } => {
                &ErrorDeclaration::EMAIL_TAKEN
            }
            AccountError::NoSuchAccount(_) => &ErrorDeclaration::NOT_FOUND,
            AccountError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            AccountError::LastAdmin(_) => &ErrorDeclaration::LAST_ADMIN,
            AccountError::Erased(_) => &ErrorDeclaration::ERASED_ACCOUNT,
            AccountError::Repository(error) => error.declaration(),
        }
    }
}
