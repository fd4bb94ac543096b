//! Errors of the ports and of each use case, with messages a user can act on.

use crate::domain::{Ineligibility, NotesError, ScheduledSession, ScheduledSessionId};

/// A failure of a repository (port) implementation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// The store cannot be reached right now (connection refused, pool exhausted, database
    /// locked for too long). Retrying later may succeed; HTTP adapters answer 503.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A stored value could not be read (corrupt or unexpected data).
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// Any other failure of the store.
    #[error("the database failed: {0}")]
    Failed(String),
}

/// Which kind of record was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// A submission.
    Submission,
    /// A scheduled session.
    ScheduledSession,
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Resource::Submission => "submission",
            Resource::ScheduledSession => "scheduled session",
        })
    }
}

/// Errors of read use cases (pages, details, lists).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No such record.
    #[error("{resource} {id} does not exist")]
    NotFound {
        /// What was looked for.
        resource: Resource,
        /// Its id.
        id: i32,
    },
    /// The actor may not see it.
    #[error("you do not have access to this {0}")]
    Forbidden(Resource),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// Errors of booking a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// No such submission.
    #[error("submission {0} does not exist")]
    NotFound(i32),
    /// Not the actor's own submission (or the actor is not a student).
    #[error("you can only schedule sensei sessions for your own submissions")]
    Forbidden,
    /// The eligibility rules refuse; says which conditions failed and by how much.
    #[error("{0}")]
    Ineligible(Ineligibility),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// Errors of completing a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompleteError {
    /// No such session.
    #[error("scheduled session {0} does not exist")]
    NotFound(ScheduledSessionId),
    /// Only instructors complete sessions.
    #[error("only instructors can complete sensei sessions")]
    Forbidden,
    /// Already completed; carries the session with the first completion, which is kept.
    #[error("scheduled session {} was already completed; the first completion is kept", .0.id)]
    AlreadyCompleted(Box<ScheduledSession>),
    /// The notes were refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    InvalidNotes(#[from] NotesError),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}
