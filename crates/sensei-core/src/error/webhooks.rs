//! Errors of managing webhook endpoints.

use super::{DomainError, ErrorKind, RepositoryError};
use crate::domain::{WebhookEndpointId, WebhookInputError};

/// Errors of adding, listing and removing webhook endpoints and reading their log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Only admins (and operators at the command line) manage webhooks.
    #[error("only admins (and operators with `sensei webhook`) can manage webhooks")]
    Forbidden,
    /// The URL or the event list was refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    Invalid(#[from] WebhookInputError),
    /// No such endpoint.
    #[error("webhook endpoint {0} does not exist")]
    NotFound(WebhookEndpointId),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for WebhookError {
    fn kind(&self) -> ErrorKind {
        match self {
            WebhookError::Forbidden => ErrorKind::Forbidden,
            WebhookError::Invalid(_) => ErrorKind::Refused,
            WebhookError::NotFound(_) => ErrorKind::NotFound,
            WebhookError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebhookError::Invalid(_) => "invalid_webhook",
            WebhookError::Repository(error) => error.code(),
            other => other.kind().default_code(),
        }
    }
}
