//! Errors of the preference use cases.

use super::{DomainError, ErrorDeclaration, RepositoryError};

/// Why a preference could not be read or saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreferenceError {
    /// The text names no time zone.
    #[error(
        "{0:?} is not a time zone: choose one from the list, \
         or write an IANA name such as Europe/Berlin or America/New_York"
    )]
    UnknownTimeZone(String),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for PreferenceError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            PreferenceError::UnknownTimeZone(_) => &ErrorDeclaration::INVALID_INPUT,
            PreferenceError::Repository(error) => error.declaration(),
        }
    }
}
