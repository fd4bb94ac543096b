//! Errors of the API token use cases.

use super::{DomainError, ErrorDeclaration, RepositoryError};
use crate::domain::{ApiTokenId, ApiTokenInputError};

/// Why a token could not be made, listed, revoked or accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiTokenError {
    /// The token is malformed, unknown, revoked or expired, or its owner is disabled. One
    /// answer for all of them, so a guess learns nothing.
    #[error(
        "the API token is not valid: it may be mistyped, revoked or expired; \
         ask for a new one (sensei token create, or the API tokens page)"
    )]
    InvalidToken,
    /// Only instructors and admins manage tokens of their own; nobody manages someone
    /// else's except the operator.
    #[error("only instructors and admins manage their own API tokens; ask an operator")]
    Forbidden,
    /// No account has this email.
    #[error("there is no account for {0}")]
    NoSuchAccount(String),
    /// The account is disabled, so a token of it would not work.
    #[error("the account {0} is disabled; enable it first (sensei user enable)")]
    AccountDisabled(String),
    /// No such token (or it belongs to someone else).
    #[error("there is no API token {0}; sensei token list shows the ids")]
    NoSuchToken(ApiTokenId),
    /// The name or lifetime was refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    InvalidInput(#[from] ApiTokenInputError),
    /// The store (or the random source) failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for ApiTokenError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            ApiTokenError::InvalidToken => &ErrorDeclaration::INVALID_TOKEN,
            ApiTokenError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            ApiTokenError::NoSuchAccount(_) | ApiTokenError::NoSuchToken(_) => {
                &ErrorDeclaration::NOT_FOUND
            }
            ApiTokenError::AccountDisabled(_) => &ErrorDeclaration::ACCOUNT_DISABLED,
            ApiTokenError::InvalidInput(_) => &ErrorDeclaration::INVALID_TOKEN_INPUT,
            ApiTokenError::Repository(error) => error.declaration(),
        }
    }
}
