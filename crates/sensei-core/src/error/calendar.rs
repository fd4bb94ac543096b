//! Errors of the calendar feed use cases.

use super::{DomainError, ErrorDeclaration, RepositoryError};

/// Why a calendar feed could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Only instructors hold sessions, so only they have feeds.
    #[error("only instructors have calendar feeds")]
    Forbidden,
    /// The address names no current feed: mistyped, or replaced by a newer link.
    #[error(
        "this calendar link does not exist or was replaced by a newer one; \
         copy the current link from the dashboard"
    )]
    UnknownFeed,
    /// The store (or the random source) failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for CalendarError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            CalendarError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            CalendarError::UnknownFeed => &ErrorDeclaration::NOT_FOUND,
            CalendarError::Repository(error) => error.declaration(),
        }
    }
}
