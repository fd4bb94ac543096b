//! What a booking decides on, read together: the submission and the student's progress on
//! its challenge's goals.
//!
//! Read through the submission and goal ports, that is two trips to the store one after the
//! other (the goals' challenge comes from the submission); a store that holds both answers in
//! one. The rules stay in the core: the store only reads, and the booking use case checks
//! ownership and eligibility on what it returns.

use std::sync::Arc;

use async_trait::async_trait;

use super::content::GoalRepository;
use super::submissions::SubmissionRepository;
use crate::domain::{GoalProgressEntry, SubmissionId, SubmissionInfo, UserId};
use crate::error::RepositoryError;

/// A submission and one student's progress on the goals of its challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFacts {
    /// The submission (its owner may be someone else: the use case checks).
    pub submission: SubmissionInfo,
    /// The student's progress on every goal of the submission's challenge, as
    /// [`GoalRepository::progress`] returns it, when the submission is the student's own;
    /// empty otherwise (such a booking is refused on ownership, and nothing more is read).
    pub goals: Vec<GoalProgressEntry>,
}

/// Reads a booking's facts as one unit of work where the store can (see the module
/// documentation). [`ComposedBookingReads`] implements it over the two separate ports.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BookingReads: Send + Sync {
    /// The submission `id` (as [`SubmissionRepository::get`]) and, when it is `student`'s own,
    /// their progress on its challenge's goals (as [`GoalRepository::progress`]); `Ok(None)`
    /// when there is no such submission.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn booking_facts(
        &self,
        id: SubmissionId,
        student: UserId,
    ) -> Result<Option<BookingFacts>, RepositoryError>;
}

/// [`BookingReads`] over a submission port and a goal port: one call to each, for stores that
/// keep them apart (an embedder's own stores, tests).
#[derive(Clone)]
pub struct ComposedBookingReads {
    submissions: Arc<dyn SubmissionRepository>,
    goals: Arc<dyn GoalRepository>,
}

impl ComposedBookingReads {
    /// Over these two ports.
    pub fn new(submissions: Arc<dyn SubmissionRepository>, goals: Arc<dyn GoalRepository>) -> Self {
        Self { submissions, goals }
    }
}

#[async_trait]
impl BookingReads for ComposedBookingReads {
    async fn booking_facts(
        &self,
        id: SubmissionId,
        student: UserId,
    ) -> Result<Option<BookingFacts>, RepositoryError> {
        let Some(submission) = self.submissions.get(id).await? else {
            return Ok(None);
        };
        let goals = if submission.owner == student {
            self.goals
                .progress(student, submission.challenge_id)
                .await?
        } else {
            Vec::new()
        };
        Ok(Some(BookingFacts { submission, goals }))
    }
}
