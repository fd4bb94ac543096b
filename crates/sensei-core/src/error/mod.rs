//! Errors of the ports and of each use case, with messages a user can act on. Every error
//! points each variant at one [`ErrorDeclaration`] (kind, stable code, title: [`DomainError`]),
//! so adapters map kinds to statuses in one table and render the error's own message.

mod accounts;
mod api_tokens;
mod calendar;
mod declaration;
mod desk;
mod email;
mod kind;
mod preferences;
mod webhooks;

pub use accounts::AccountError;
pub use api_tokens::ApiTokenError;
pub use calendar::CalendarError;
pub use declaration::ErrorDeclaration;
pub use desk::DeskError;
pub use email::EmailLinkError;
pub use kind::{DomainError, ErrorKind};
pub use preferences::PreferenceError;
pub use webhooks::WebhookError;

use chrono::{DateTime, Utc};

use crate::domain::{
    CancelReasonError, Ineligibility, NotesError, NulInText, ScheduledSession, ScheduledSessionId,
    SessionState,
};

/// A failure of a repository (port) implementation. Adapters say which of three things went
/// wrong, because callers answer each differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// The store cannot serve right now (unreachable, pool exhausted, locked for too long,
    /// disk full). Retrying later may succeed; HTTP adapters answer 503.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The store refused the input itself (a constraint it breaks, bytes it cannot store such
    /// as NUL in PostgreSQL text). Retrying the same input fails again; HTTP adapters answer
    /// 400.
    #[error("the database refused the input: {0}")]
    Rejected(String),
    /// A bug or corrupt stored data (a value that cannot be read, a task that died). HTTP
    /// adapters answer 500 and log the cause.
    #[error("the database failed: {0}")]
    Internal(String),
}

impl DomainError for RepositoryError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            RepositoryError::Unavailable(_) => &ErrorDeclaration::UNAVAILABLE,
            RepositoryError::Rejected(_) => &ErrorDeclaration::INVALID_INPUT,
            RepositoryError::Internal(_) => &ErrorDeclaration::INTERNAL,
        }
    }
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
    /// A filter's text breaks the text rule; nothing was read.
    #[error(transparent)]
    InvalidText(#[from] NulInText),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for QueryError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            QueryError::NotFound { .. } => &ErrorDeclaration::NOT_FOUND,
            QueryError::Forbidden(_) => &ErrorDeclaration::FORBIDDEN,
            QueryError::InvalidText(_) => &ErrorDeclaration::INVALID_INPUT,
            QueryError::Repository(error) => error.declaration(),
        }
    }
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
    /// The student has as many open sessions as the policy allows.
    #[error("{open} open sensei sessions; at most {max} at a time")]
    TooManyOpen {
        /// The student's open sessions.
        open: u32,
        /// The policy's limit.
        max: u32,
    },
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for BookError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            BookError::NotFound(_) => &ErrorDeclaration::NOT_FOUND,
            BookError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            BookError::Ineligible(_) => &ErrorDeclaration::INELIGIBLE,
            BookError::TooManyOpen { .. } => &ErrorDeclaration::TOO_MANY_OPEN_SESSIONS,
            BookError::Repository(error) => error.declaration(),
        }
    }
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
    #[error(
        "scheduled session {} was already completed; the first completion is kept and nothing \
         was changed",
        .0.id
    )]
    AlreadyCompleted(Box<ScheduledSession>),
    /// The notes were refused; nothing was saved.
    #[error("{0}; nothing was saved")]
    InvalidNotes(#[from] NotesError),
    /// Another instructor holds a live claim on it; only they may complete it.
    #[error("{0}; only they can complete it")]
    HeldByOther(HeldBy),
    /// The student cancelled it.
    #[error("scheduled session {0} was cancelled by the student; nothing was changed")]
    Cancelled(ScheduledSessionId),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for CompleteError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            CompleteError::NotFound(_) => &ErrorDeclaration::NOT_FOUND,
            CompleteError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            CompleteError::AlreadyCompleted(_) => &ErrorDeclaration::CONFLICT,
            CompleteError::HeldByOther(_) => &ErrorDeclaration::HELD_BY_OTHER,
            CompleteError::Cancelled(_) => &ErrorDeclaration::SESSION_CLOSED,
            // Malformed text is the one `invalid_input` of every operation (the text rule).
            CompleteError::InvalidNotes(NotesError::Nul(_)) => &ErrorDeclaration::INVALID_INPUT,
            CompleteError::InvalidNotes(_) => &ErrorDeclaration::INVALID_NOTES,
            CompleteError::Repository(error) => error.declaration(),
        }
    }
}

/// A live claim by another instructor, as refusals name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "scheduled session {session} is claimed by {holder} until {}",
    expires_at.format("%Y-%m-%d %H:%M UTC")
)]
pub struct HeldBy {
    /// The session.
    pub session: ScheduledSessionId,
    /// The holder's email (or id, when the email is unknown).
    pub holder: String,
    /// When the claim lapses.
    pub expires_at: DateTime<Utc>,
}

/// Errors of claiming, renewing and releasing a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// No such session.
    #[error("scheduled session {0} does not exist")]
    NotFound(ScheduledSessionId),
    /// Only instructors claim sessions.
    #[error("only instructors can claim sensei sessions")]
    Forbidden,
    /// Another instructor holds a live claim.
    #[error("{0}")]
    HeldByOther(HeldBy),
    /// Renewing or releasing a session the instructor does not hold (any more).
    #[error(
        "you do not hold a claim on scheduled session {0} (it may have expired); claim it first"
    )]
    NotHeld(ScheduledSessionId),
    /// Completed or cancelled sessions cannot be claimed.
    #[error("scheduled session {id} is {}; it can no longer be claimed", state.as_str())]
    Closed {
        /// The session.
        id: ScheduledSessionId,
        /// Completed or cancelled.
        state: SessionState,
    },
    /// The instructor holds as many live claims as the policy allows.
    #[error("you hold {live} live claims; at most {max} at a time: complete or release one first")]
    TooManyClaims {
        /// Their live claims.
        live: u32,
        /// The policy's limit.
        max: u32,
    },
    /// The meeting details given with the claim were refused; nothing changed.
    #[error("{0}; the session was not claimed")]
    InvalidMeeting(#[from] crate::domain::MeetingError),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for ClaimError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            ClaimError::NotFound(_) => &ErrorDeclaration::NOT_FOUND,
            ClaimError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            ClaimError::HeldByOther(_) => &ErrorDeclaration::HELD_BY_OTHER,
            ClaimError::NotHeld(_) => &ErrorDeclaration::NOT_HELD,
            ClaimError::Closed { .. } => &ErrorDeclaration::SESSION_CLOSED,
            ClaimError::TooManyClaims { .. } => &ErrorDeclaration::CLAIM_LIMIT,
            ClaimError::InvalidMeeting(_) => &ErrorDeclaration::INVALID_MEETING,
            ClaimError::Repository(error) => error.declaration(),
        }
    }
}

/// Errors of cancelling a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// No such session.
    #[error("scheduled session {0} does not exist")]
    NotFound(ScheduledSessionId),
    /// Only the student who booked it may cancel it.
    #[error("only the student who booked a sensei session can cancel it")]
    Forbidden,
    /// Completed or already cancelled.
    #[error("scheduled session {id} is {}; it can no longer be cancelled", state.as_str())]
    Closed {
        /// The session.
        id: ScheduledSessionId,
        /// Completed or cancelled.
        state: SessionState,
    },
    /// The reason was refused; nothing was changed.
    #[error("{0}; nothing was changed")]
    InvalidReason(#[from] CancelReasonError),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for CancelError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            CancelError::NotFound(_) => &ErrorDeclaration::NOT_FOUND,
            CancelError::Forbidden => &ErrorDeclaration::FORBIDDEN,
            CancelError::Closed { .. } => &ErrorDeclaration::SESSION_CLOSED,
            CancelError::InvalidReason(CancelReasonError::Nul(_)) => {
                &ErrorDeclaration::INVALID_INPUT
            }
            CancelError::InvalidReason(_) => &ErrorDeclaration::INVALID_REASON,
            CancelError::Repository(error) => error.declaration(),
        }
    }
}

/// Errors of signing in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    /// No account has this email, or the password does not match (the two are not told apart,
    /// so that accounts cannot be discovered).
    #[error("incorrect email or password")]
    InvalidCredentials,
    /// The email or the password breaks the text rule; nothing was looked up.
    #[error(transparent)]
    InvalidText(#[from] NulInText),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for SignInError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            SignInError::InvalidCredentials => &ErrorDeclaration::INVALID_CREDENTIALS,
            SignInError::InvalidText(_) => &ErrorDeclaration::INVALID_INPUT,
            SignInError::Repository(error) => error.declaration(),
        }
    }
}

/// Errors of identifying a request by an email a trusted proxy vouched for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifyError {
    /// The proxy named an email no account has.
    #[error("there is no account for {0} here")]
    UnknownAccount(String),
    /// The proxy named an account an operator disabled.
    #[error("the account {0} is disabled")]
    Disabled(String),
    /// The store failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl DomainError for IdentifyError {
    fn declaration(&self) -> &'static ErrorDeclaration {
        match self {
            IdentifyError::UnknownAccount(_) | IdentifyError::Disabled(_) => {
                &ErrorDeclaration::FORBIDDEN
            }
            IdentifyError::Repository(error) => error.declaration(),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "codes_tests.rs"]
mod codes_tests;
