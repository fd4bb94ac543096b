//! Errors of managing webhook endpoints.

use super::{DomainError, ErrorDeclaration, RepositoryError};
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
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            WebhookError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            WebhookError::Invalid(_) => &ErrorDeclaration::INVALID_WEBHOOK,
            WebhookError::NotFound(_) => &ErrorDeclaration::NOT_FOUND,
            WebhookError::Repository(error) => error.declaration(),
        }
    }
}
