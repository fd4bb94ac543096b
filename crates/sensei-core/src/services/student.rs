//! What a student sees: their submissions and whether a session is offered.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::{
    evaluate_eligibility, Actor, Eligibility, EngagementSnapshot, GoalProgressEntry, ListOrder,
    PageRequest, PageSize, Role, ScheduledSession, SessionQuery, StatusFilter, SubmissionId,
    SubmissionInfo, MAX_PAGE_SIZE,
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
    /// The meeting details of the instructor holding that session now, if they gave any.
    pub meeting: Option<crate::domain::Meeting>,
    /// Where that session stands in the queue while open (position and expected wait, or
    /// with an instructor).
    pub place: Option<crate::domain::QueuePlace>,
    /// When it was read: the latest session's claim is live or expired as of this instant.
    pub as_of: DateTime<Utc>,
}

/// One of a student's submissions with whether a session may be booked now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionStatus {
    /// The submission.
    pub submission: SubmissionInfo,
    /// Engagement now.
    pub engagement: EngagementSnapshot,
    /// Whether a session may be booked, or why not.
    pub eligibility: Eligibility,
    /// The latest session booked for it, among the student's most recent sessions.
    pub latest_session: Option<ScheduledSession>,
}

/// A student's submissions, with the instant their sessions' states are as of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MySubmissions {
    /// The submissions, newest first.
    pub items: Vec<SubmissionStatus>,
    /// When they were read.
    pub as_of: DateTime<Utc>,
}

impl SenseiService {
    /// The student's own submissions, newest first, each with its eligibility now and its
    /// latest session (read among the student's [`MAX_PAGE_SIZE`] most recent sessions), in
    /// a constant number of statements however many submissions there are.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless a student; [`QueryError::Repository`].
    pub async fn my_submissions(&self, actor: Actor) -> Result<MySubmissions, QueryError> {
        if actor.role != Role::Student {
            return Err(QueryError::Forbidden(Resource::Submission));
        }
        let as_of = self.ports.clock.now();
        let submissions = self
            .ports
            .submissions
            .list_by_owner(actor.user_id, STUDENT_SUBMISSIONS)
            .await?;
        if submissions.is_empty() {
            return Ok(MySubmissions {
                items: Vec::new(),
                as_of,
            });
        }
        let mut challenges: Vec<_> = submissions.iter().map(|s| s.challenge_id).collect();
        challenges.sort_unstable();
        challenges.dedup();
        let progress: HashMap<_, _> = self
            .ports
            .goals
            .progress_for_challenges(actor.user_id, &challenges)
            .await?
            .into_iter()
            .collect();
        let query = SessionQuery {
            status: StatusFilter::All,
            student: Some(actor.user_id),
            order: ListOrder::NewestFirst,
            as_of: Some(as_of),
            ..SessionQuery::default()
        };
        let page = PageRequest {
            size: PageSize::new(MAX_PAGE_SIZE).unwrap_or_default(),
            after: None,
        };
        let mut latest: HashMap<SubmissionId, ScheduledSession> = HashMap::new();
        for entry in self.ports.sessions.list(&query, page).await?.items {
            latest
                .entry(entry.session.submission_id)
                .or_insert(entry.session);
        }
        let items = submissions
            .into_iter()
            .map(|submission| {
                let goals = progress
                    .get(&submission.challenge_id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let engagement = EngagementSnapshot::from_progress(goals);
                let eligibility = evaluate_eligibility(
                    submission.latest_verdict.as_ref(),
                    &engagement,
                    &self.policy,
                );
                let latest_session = latest.remove(&submission.id);
                SubmissionStatus {
                    submission,
                    engagement,
                    eligibility,
                    latest_session,
                }
            })
            .collect();
        Ok(MySubmissions { items, as_of })
    }

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
        let as_of = self.ports.clock.now();
        // A lapsed claim shows no meeting.
        let holder = latest_session
            .as_ref()
            .and_then(|session| session.live_claim_at(as_of))
            .map(|claim| claim.holder);
        let meeting = match (&latest_session, holder) {
            // Read only for a held session: most pages cost no extra statement.
            (Some(session), Some(_)) => self
                .meetings
                .meetings(vec![session.id])
                .await?
                .iter()
                .find_map(|stored| stored.shown_for(holder))
                .cloned(),
            _ => None,
        };
        let place = match &latest_session {
            Some(session) => self
                .places(
                    &[(session.id, session.state_at(as_of), session.scheduled_at)],
                    as_of,
                )
                .await?
                .remove(&session.id),
            None => None,
        };
        Ok(SubmissionOverview {
            submission,
            goals,
            engagement,
            eligibility,
            latest_session,
            meeting,
            place,
            as_of,
        })
    }
}
