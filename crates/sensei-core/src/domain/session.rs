//! The scheduled sensei session and its lifecycle.

use chrono::{DateTime, Utc};

use super::engagement::EngagementSnapshot;
use super::ids::{ScheduledSessionId, SubmissionId, UserId};
use super::notes::Notes;
use super::reason::{EligibilityReason, RecordedReason};

/// When and how a session was completed: the time and the notes travel together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// When the instructor marked the session completed (UTC).
    pub completed_at: DateTime<Utc>,
    /// The instructor's notes, if any.
    pub notes: Option<Notes>,
}

/// Where a session is in its life. New states (claimed by an instructor, cancelled by the
/// student) become new variants here, with the data they carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionLifecycle {
    /// Waiting in the instructors' queue.
    Pending,
    /// Done.
    Completed(Completion),
}

/// A recorded request for a sensei session (one row of `scheduled_sessions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledSession {
    /// The session's id.
    pub id: ScheduledSessionId,
    /// The submission it is about.
    pub submission_id: SubmissionId,
    /// The student who asked.
    pub user_id: UserId,
    /// Why the student was eligible.
    pub reason: RecordedReason,
    /// The student's engagement when they booked.
    pub engagement: EngagementSnapshot,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Pending or completed.
    pub lifecycle: SessionLifecycle,
}

impl ScheduledSession {
    /// Whether the session still waits for an instructor.
    pub fn is_pending(&self) -> bool {
        matches!(self.lifecycle, SessionLifecycle::Pending)
    }

    /// The completion, when completed.
    pub fn completion(&self) -> Option<&Completion> {
        match &self.lifecycle {
            SessionLifecycle::Completed(completion) => Some(completion),
            SessionLifecycle::Pending => None,
        }
    }
}

/// A session to record: always pending, always with a known reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScheduledSession {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The student.
    pub user_id: UserId,
    /// Why they are eligible.
    pub reason: EligibilityReason,
    /// Their engagement now.
    pub engagement: EngagementSnapshot,
    /// Now (UTC).
    pub scheduled_at: DateTime<Utc>,
}
