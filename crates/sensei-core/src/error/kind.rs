//! The one vocabulary every error of the domain speaks: a [`ErrorKind`] that adapters turn
//! into a status in one table, and a stable machine-readable code.

use super::ErrorDeclaration;

/// What kind of failure an error is, whatever the operation. Adapters map kinds (not
/// individual errors) to their own vocabulary: HTTP statuses, Python exception classes, exit
/// codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The record asked for does not exist.
    NotFound,
    /// Nobody is signed in, or the credentials are wrong.
    Unauthenticated,
    /// The actor may not do this.
    Forbidden,
    /// Well-formed input the rules refuse (not eligible, notes too long).
    Refused,
    /// The record's state forbids it (already completed).
    Conflict,
    /// Input the store or the rules cannot accept at all (a constraint it breaks, bytes it
    /// cannot store).
    InvalidInput,
    /// The store cannot serve now (unreachable, locked, full); retrying later may succeed.
    Unavailable,
    /// A bug or corrupt stored data; the cause is logged, never shown.
    Internal,
}

/// An error of the domain: its [`ErrorDeclaration`] (the kind, the stable snake_case code,
/// the title) in one place. Its `Display` is the message for people.
pub trait DomainError: std::error::Error {
    /// This error's declaration.
    fn declaration(&self) -> &'static ErrorDeclaration;

    /// What kind of failure this is.
    fn kind(&self) -> ErrorKind {
        self.declaration().kind
    }

    /// The stable machine-readable code.
    fn code(&self) -> &'static str {
        self.declaration().code
    }
}

impl ErrorKind {
    /// The code of an error of this kind that has no more specific one.
    pub fn default_code(self) -> &'static str {
        ErrorDeclaration::of_kind(self).code
    }
}
