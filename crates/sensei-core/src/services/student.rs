//! What a student sees: their submissions and whether a session is offered.

use crate::domain::{
    evaluate_eligibility, Actor, Eligibility, EngagementSnapshot, GoalProgressEntry,
    ScheduledSession, SubmissionId, SubmissionInfo,
};
use crate::error::{QueryError, Resource};

use super::{SenseiService, STUDENT_SUBMISSIONS};

/// A submission as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionOverview {
    /// The submission.
    pub submission: SubmissionInfo,
    /// The challenge's goals with the student's progress.
    pub goals: Vec<GoalProgressEntry>,
    /// Engagement now.
    pub engagement: EngagementSnapshot,
    /// Whether a session may be booked, or why not.
    pub eligibility: Eligibility,
    /// The latest session booked for this submission, if any.
    pub latest_session: Option<ScheduledSession>,
}

impl SenseiService {
    /// The actor's own submissions, newest first.
    ///
    /// # Errors
    /// [`QueryError::Repository`] when a store fails.
    pub async fn student_submissions(
        &self,
        actor: Actor,
    ) -> Result<Vec<SubmissionInfo>, QueryError> {
        Ok(self
            .ports
            .submissions
            .list_by_owner(actor.user_id, STUDENT_SUBMISSIONS)
            .await?)
    }

    /// One of the actor's submissions with its goal progress and eligibility.
    ///
    /// # Errors
    /// [`QueryError::NotFound`] for an unknown submission, [`QueryError::Forbidden`] for
    /// someone else's, [`QueryError::Repository`] when a store fails.
    pub async fn submission_overview(
        &self,
        actor: Actor,
        submission_id: SubmissionId,
    ) -> Result<SubmissionOverview, QueryError> {
        let submission =
            self.ports
                .submissions
                .get(submission_id)
                .await?
                .ok_or(QueryError::NotFound {
                    resource: Resource::Submission,
                    id: submission_id.get(),
                })?;
        if submission.owner != actor.user_id {
            return Err(QueryError::Forbidden(Resource::Submission));
        }
        let goals = self
            .ports
            .goals
            .progress(actor.user_id, submission.challenge_id)
            .await?;
        let engagement = EngagementSnapshot::from_progress(&goals);
        let eligibility = evaluate_eligibility(
            submission.latest_verdict.as_ref(),
            &engagement,
            &self.policy,
        );
        let latest_session = self
            .ports
            .sessions
            .latest_for(actor.user_id, submission_id)
            .await?;
        Ok(SubmissionOverview {
            submission,
            goals,
            engagement,
            eligibility,
            latest_session,
        })
    }
}
