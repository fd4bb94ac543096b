//! Errors of the email links: opting out and resetting a password.

use super::{DomainError, ErrorDeclaration, RepositoryError};
use crate::domain::{PasswordError, ResetRefusal};

/// Errors of the opt-out and password-reset links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailLinkError {
    /// The opt-out link is malformed or unknown.
    #[error("this unsubscribe link is not valid; use the link in your latest email")]
    UnknownLink,
    /// The reset link does not work.
    #[error(transparent)]
    Reset(#[from] ResetRefusal),
    /// The new password was refused; nothing changed.
    #[error("{0}; the password was not changed")]
    Password(#[from] PasswordError),
    /// Email is off (no `--smtp-url`), so nothing can be sent.
    #[error("email is not configured on this server; ask an administrator to reset your password")]
    Off,
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for EmailLinkError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            EmailLinkError::UnknownLink => &ErrorDeclaration::UNKNOWN_LINK,
            EmailLinkError::Off => &ErrorDeclaration::EMAIL_OFF,
            EmailLinkError::Reset(_) => &ErrorDeclaration::RESET_LINK_INVALID,
            EmailLinkError::Password(_) => &ErrorDeclaration::INVALID_PASSWORD,
            EmailLinkError::Repository(error) => error.declaration(),
        }
    }
}
