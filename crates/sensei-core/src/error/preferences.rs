//! Errors of the preference use cases.

use super::{DomainError, ErrorKind, RepositoryError};

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
    fn kind(&self) -> ErrorKind {
        match self {
            PreferenceError::UnknownTimeZone(_) => ErrorKind::InvalidInput,
            PreferenceError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            PreferenceError::Repository(error) => error.code(),
            other => other.kind().default_code(),
        }
    }
}
