//! Errors of the ports and of each use case, with messages a user can act on. Every error
//! knows its [`ErrorKind`] and a stable code ([`DomainError`]), so adapters map kinds to
//! statuses in one table and render the error's own message.

mod accounts;
mod api_tokens;
mod calendar;
mod email;
mod kind;
mod preferences;
mod webhooks;

pub use accounts::AccountError;
pub use api_tokens::ApiTokenError;
pub use calendar::CalendarError;
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
    fn kind(&self) -> ErrorKind {
        match self {
            RepositoryError::Unavailable(_) => ErrorKind::Unavailable,
            RepositoryError::Rejected(_) => ErrorKind::InvalidInput,
            RepositoryError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        self.kind().default_code()
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
    fn kind(&self) -> ErrorKind {
        match self {
            QueryError::NotFound { .. } => ErrorKind::NotFound,
            QueryError::Forbidden(_) => ErrorKind::Forbidden,
            QueryError::InvalidText(_) => ErrorKind::InvalidInput,
            QueryError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            QueryError::Repository(error) => error.code(),
            other => other.kind().default_code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            BookError::NotFound(_) => ErrorKind::NotFound,
            BookError::Forbidden => ErrorKind::Forbidden,
            BookError::Ineligible(_) | BookError::TooManyOpen { .. } => ErrorKind::Refused,
            BookError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BookError::Ineligible(_) => "ineligible",
            BookError::TooManyOpen { .. } => "too_many_open_sessions",
            BookError::Repository(error) => error.code(),
            other => other.kind().default_code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            CompleteError::NotFound(_) => ErrorKind::NotFound,
            CompleteError::Forbidden => ErrorKind::Forbidden,
            CompleteError::AlreadyCompleted(_)
            | CompleteError::HeldByOther(_)
            | CompleteError::Cancelled(_) => ErrorKind::Conflict,
            CompleteError::InvalidNotes(NotesError::Nul(_)) => ErrorKind::InvalidInput,
            CompleteError::InvalidNotes(_) => ErrorKind::Refused,
            CompleteError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            // Malformed text is the one `invalid_input` of every operation (the text rule).
            CompleteError::InvalidNotes(NotesError::Nul(_)) => {
                ErrorKind::InvalidInput.default_code()
            }
            CompleteError::InvalidNotes(_) => "invalid_notes",
            CompleteError::HeldByOther(_) => "held_by_other",
            CompleteError::Cancelled(_) => "session_closed",
            CompleteError::Repository(error) => error.code(),
            other => other.kind().default_code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            ClaimError::NotFound(_) => ErrorKind::NotFound,
            ClaimError::Forbidden => ErrorKind::Forbidden,
            ClaimError::HeldByOther(_) | ClaimError::NotHeld(_) | ClaimError::Closed { .. } => {
                ErrorKind::Conflict
            }
            ClaimError::TooManyClaims { .. } | ClaimError::InvalidMeeting(_) => ErrorKind::Refused,
            ClaimError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ClaimError::HeldByOther(_) => "held_by_other",
            ClaimError::NotHeld(_) => "not_held",
            ClaimError::Closed { .. } => "session_closed",
            ClaimError::TooManyClaims { .. } => "claim_limit",
            ClaimError::InvalidMeeting(_) => "invalid_meeting",
            ClaimError::Repository(error) => error.code(),
            other => other.kind().default_code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            CancelError::NotFound(_) => ErrorKind::NotFound,
            CancelError::Forbidden => ErrorKind::Forbidden,
            CancelError::Closed { .. } => ErrorKind::Conflict,
            CancelError::InvalidReason(CancelReasonError::Nul(_)) => ErrorKind::InvalidInput,
            CancelError::InvalidReason(_) => ErrorKind::Refused,
            CancelError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            CancelError::Closed { .. } => "session_closed",
            CancelError::InvalidReason(CancelReasonError::Nul(_)) => {
                ErrorKind::InvalidInput.default_code()
            }
            CancelError::InvalidReason(_) => "invalid_reason",
            CancelError::Repository(error) => error.code(),
            other => other.kind().default_code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            SignInError::InvalidCredentials => ErrorKind::Unauthenticated,
            SignInError::InvalidText(_) => ErrorKind::InvalidInput,
            SignInError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            SignInError::InvalidCredentials => "invalid_credentials",
            SignInError::InvalidText(_) => ErrorKind::InvalidInput.default_code(),
            SignInError::Repository(error) => error.code(),
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
    fn kind(&self) -> ErrorKind {
        match self {
            IdentifyError::UnknownAccount(_) | IdentifyError::Disabled(_) => ErrorKind::Forbidden,
            IdentifyError::Repository(error) => error.kind(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IdentifyError::Repository(error) => error.code(),
            other => other.kind().default_code(),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "codes_tests.rs"]
mod codes_tests;
