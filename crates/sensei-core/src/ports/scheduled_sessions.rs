//! The scheduled sessions store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    NewScheduledSession, NewSessionEvent, Page, PageRequest, ScheduledSession, ScheduledSessionId,
    SessionEvent, SessionLifecycle, SessionListEntry, SessionQuery, UserId,
};
use crate::error::RepositoryError;

/// What [`ScheduledSessionRepository::create_unless_recent`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// No recent session existed and the student was under the open-session limit; this one
    /// was recorded (with its `booked` event).
    Created(ScheduledSession),
    /// A session for the same student and submission, not cancelled, was scheduled strictly
    /// after the window start; nothing was recorded and this is the latest such session.
    Existing(ScheduledSession),
    /// The student already has `open` open (pending or claimed) sessions, at or over the
    /// limit; nothing was recorded.
    TooManyOpen {
        /// The student's open sessions.
        open: u32,
    },
}

/// A limit on an instructor's live claims, checked by
/// [`ScheduledSessionRepository::transition`] atomically with the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLimit {
    /// The instructor taking the claim.
    pub instructor: UserId,
    /// The most live claims they may hold, this one included.
    pub max: u32,
    /// The instant claims are judged live at.
    pub now: DateTime<Utc>,
}

/// What [`ScheduledSessionRepository::transition`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionOutcome {
    /// The session was in the expected lifecycle and now is in the new one; its event was
    /// appended in the same transaction. The session as stored now.
    Applied(ScheduledSession),
    /// The session's lifecycle was no longer the expected one (someone else changed it
    /// first); nothing was written. The caller reads it again and decides again.
    Changed,
    /// The instructor already holds `live` live claims, at the limit; nothing was written.
    ClaimLimitReached {
        /// Their live claims on other sessions.
        live: u32,
    },
    /// No such session.
    NotFound,
}

/// What the instructors' dashboard reads, as one unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardRead {
    /// Open sessions (pending or claimed) in all.
    pub open: u64,
    /// Completed sessions in all.
    pub completed: u64,
    /// Sessions matching the `mine` query (the viewer's live claims).
    pub mine: u64,
    /// Sessions matching the `claimed` query (everyone's live claims): the open sessions
    /// that are not pending.
    pub claimed: u64,
    /// One page of the queue.
    pub page: Page<SessionListEntry>,
}

/// Stores scheduled sessions (the `scheduled_sessions` table) and their events.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ScheduledSessionRepository: Send + Sync {
    /// Atomically: if the student already has a session for this submission that is not
    /// cancelled and was scheduled strictly after `window_start` (one scheduled exactly at
    /// `window_start` is not recent; see [`crate::domain::is_within_dedup_window`]), returns
    /// the latest one as [`CreateOutcome::Existing`]; otherwise, if the student has
    /// `max_open` or more open (neither completed nor cancelled) sessions, returns
    /// [`CreateOutcome::TooManyOpen`]; otherwise records `new` with its `booked` event
    /// ([`NewSessionEvent::transition`]) and returns it as [`CreateOutcome::Created`]. Any
    /// number of concurrent calls for the same student, from any number of processes, must
    /// record at most one session per pair and window and never exceed the limit.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached or stays locked;
    /// [`RepositoryError::Rejected`] when the store refuses the row (for example a foreign
    /// key violation); [`RepositoryError::Internal`] for a bug or unreadable data.
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
        max_open: u32,
    ) -> Result<CreateOutcome, RepositoryError>;

    /// Atomically: if session `id`'s stored lifecycle is still `expected`, stores `next`
    /// instead and appends `event`, in one transaction; with a `claim_limit`, first counts
    /// the instructor's live claims on other open sessions and refuses at the limit. The
    /// comparison and the write are one atomic step: of two concurrent calls expecting the
    /// same lifecycle, exactly one is applied, across processes.
    ///
    /// # Errors
    /// As [`ScheduledSessionRepository::create_unless_recent`].
    async fn transition(
        &self,
        id: ScheduledSessionId,
        expected: SessionLifecycle,
        next: SessionLifecycle,
        event: NewSessionEvent,
        claim_limit: Option<ClaimLimit>,
    ) -> Result<TransitionOutcome, RepositoryError>;

    /// The session with its student's email, challenge name and holder's email; `Ok(None)`
    /// if there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError>;

    /// The latest session of a student for a submission, if any (cancelled ones included).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn latest_for(
        &self,
        user_id: crate::domain::UserId,
        submission_id: crate::domain::SubmissionId,
    ) -> Result<Option<ScheduledSession>, RepositoryError>;

    /// One page of sessions matching `query`, in its order (`scheduled_at` then `id`),
    /// starting after `page.after`. Claims are judged live or expired at `query.as_of`
    /// (now when unset). Must use a constant number of statements whatever the number of
    /// rows. Rows with unexpected stored values are returned with safe defaults, never
    /// dropped.
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

    /// Everything the dashboard shows, read together: the open and completed counts, the
    /// counts of `mine` and `claimed`, and one page of `queue`. The default composes
    /// [`ScheduledSessionRepository::count`] and [`ScheduledSessionRepository::list`]; a store
    /// that can read it all in one trip (one connection, one blocking call) should.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn dashboard(
        &self,
        queue: &SessionQuery,
        mine: &SessionQuery,
        claimed: &SessionQuery,
        page: PageRequest,
    ) -> Result<DashboardRead, RepositoryError> {
        let open = SessionQuery {
            status: crate::domain::StatusFilter::Open,
            ..SessionQuery::default()
        };
        let completed = SessionQuery {
            status: crate::domain::StatusFilter::Completed,
            ..SessionQuery::default()
        };
        Ok(DashboardRead {
            open: self.count(&open).await?,
            completed: self.count(&completed).await?,
            mine: self.count(mine).await?,
            claimed: self.count(claimed).await?,
            page: self.list(queue, page).await?,
        })
    }

    /// The session's events, oldest first, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn events(
        &self,
        id: ScheduledSessionId,
        limit: u32,
    ) -> Result<Vec<SessionEvent>, RepositoryError>;

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
