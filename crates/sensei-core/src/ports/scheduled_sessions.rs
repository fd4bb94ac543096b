//! The scheduled sessions store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    Completion, NewScheduledSession, Page, PageRequest, ScheduledSession, ScheduledSessionId,
    SessionListEntry, SessionQuery,
};
use crate::error::RepositoryError;

/// What [`ScheduledSessionRepository::create_unless_recent`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// No recent session existed; this one was recorded.
    Created(ScheduledSession),
    /// A session for the same student and submission was scheduled strictly after the window
    /// start; nothing was recorded and this is the latest such session.
    Existing(ScheduledSession),
}

/// What [`ScheduledSessionRepository::complete_if_pending`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompleteOutcome {
    /// The session was pending and is now completed; the updated session.
    Completed(ScheduledSession),
    /// The session was already completed; it is returned unchanged.
    AlreadyCompleted(ScheduledSession),
    /// No such session.
    NotFound,
}

/// Stores scheduled sessions (the `scheduled_sessions` table).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ScheduledSessionRepository: Send + Sync {
    /// Atomically: if the student already has a session for this submission scheduled strictly
    /// after `window_start` (a session scheduled exactly at `window_start` is not recent; see
    /// [`crate::domain::is_within_dedup_window`]),
    /// returns the latest one as [`CreateOutcome::Existing`]; otherwise
    /// records `new` and returns it as [`CreateOutcome::Created`]. Any number of concurrent
    /// calls for the same pair, from any number of processes, must record at most one session
    /// per window.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached or stays locked;
    /// [`RepositoryError::Rejected`] when the store refuses the row (for example a foreign key
    /// violation); [`RepositoryError::Internal`] for a bug or unreadable data.
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
    ) -> Result<CreateOutcome, RepositoryError>;

    /// The session with its student's email and challenge name; `Ok(None)` if there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError>;

    /// The latest session of a student for a submission, if any.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn latest_for(
        &self,
        user_id: crate::domain::UserId,
        submission_id: crate::domain::SubmissionId,
    ) -> Result<Option<ScheduledSession>, RepositoryError>;

    /// One page of sessions matching `query`, ordered by `scheduled_at` then `id` (oldest
    /// first), starting after `page.after`. Must use a constant number of statements whatever
    /// the number of rows. Rows with unexpected stored values are returned with safe defaults,
    /// never dropped.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn list(
        &self,
        query: &SessionQuery,
        page: PageRequest,
    ) -> Result<Page<SessionListEntry>, RepositoryError>;

    /// How many sessions match `query`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError>;

    /// Atomically completes the session if it is pending. Of two concurrent calls exactly one
    /// gets [`CompleteOutcome::Completed`]; the other gets
    /// [`CompleteOutcome::AlreadyCompleted`] with the winner's completion intact.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn complete_if_pending(
        &self,
        id: ScheduledSessionId,
        completion: Completion,
    ) -> Result<CompleteOutcome, RepositoryError>;

    /// Whether the store can serve requests now: reachable, and its schema in place. Cheap;
    /// readiness probes call it. The default says yes (for stores that are always ready, such
    /// as memory).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot serve.
    async fn check_ready(&self) -> Result<(), RepositoryError> {
        Ok(())
    }
}
