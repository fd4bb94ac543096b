//! Meeting details instructors give with a claim, kept beside the sessions (the platform's
//! `scheduled_sessions` table keeps its columns).

use async_trait::async_trait;

use crate::domain::{Meeting, ScheduledSessionId, StoredMeeting, UserId};
use crate::error::RepositoryError;

/// Meeting details per session and instructor.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Stores (`Some`) or removes (`None`) `instructor`'s details for `session`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn set_meeting(
        &self,
        session: ScheduledSessionId,
        instructor: UserId,
        meeting: Option<Meeting>,
    ) -> Result<(), RepositoryError>;

    /// Every instructor's details for these sessions.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn meetings(
        &self,
        sessions: Vec<ScheduledSessionId>,
    ) -> Result<Vec<StoredMeeting>, RepositoryError>;
}

/// No meeting details (embedders without the table): nothing is kept, nothing is shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMeetings;

#[async_trait]
impl MeetingStore for NoMeetings {
    async fn set_meeting(
        &self,
        _session: ScheduledSessionId,
        _instructor: UserId,
        _meeting: Option<Meeting>,
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn meetings(
        &self,
        _sessions: Vec<ScheduledSessionId>,
    ) -> Result<Vec<StoredMeeting>, RepositoryError> {
        Ok(Vec::new())
    }
}
