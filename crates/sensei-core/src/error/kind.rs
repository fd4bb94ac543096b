//! The one vocabulary every error of the domain speaks: a [`ErrorKind`] that adapters turn
//! into a status in one table, and a stable machine-readable code.

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

/// An error of the domain: its [`ErrorKind`] and a stable snake_case code (the API's `code`;
/// new codes may be added, existing ones keep their meaning). Its `Display` is the message
/// for people.
pub trait DomainError: std::error::Error {
    /// What kind of failure this is.
    fn kind(&self) -> ErrorKind;

    /// The stable machine-readable code.
    fn code(&self) -> &'static str;
}

impl ErrorKind {
    /// The code of an error of this kind that has no more specific one.
    pub fn default_code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Refused => "refused",
            ErrorKind::Conflict => "conflict",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}
