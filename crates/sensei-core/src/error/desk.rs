//! Errors of the instructor's desk: presence and "my challenges".

use super::{DomainError, ErrorDeclaration, RepositoryError};
use crate::domain::ChallengeId;

/// Why the on-duty list or a challenge choice could not be read or saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    /// Only instructors (and admins) are on duty and mentor challenges.
    #[error("only instructors see who is on duty and choose the challenges they mentor")]
    Forbidden,
    /// The choice names a challenge that does not exist.
    #[error("challenge {0} does not exist: reload the page and choose from the listed challenges")]
    UnknownChallenge(ChallengeId),
    /// The choice names more challenges than a choice may hold.
    #[error("choose at most {0} challenges (or none, to see every challenge)")]
    TooManyChallenges(usize),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for DeskError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            DeskError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            DeskError::UnknownChallenge(_) | DeskError::TooManyChallenges(_) => {
                &ErrorDeclaration::INVALID_INPUT
            }
            DeskError::Repository(error) => error.declaration(),
        }
    }
}
