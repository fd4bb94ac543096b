//! The signed-in student's own sessions and submissions, and the eligibility conditions
//! they do not meet (also in a refused booking's error).

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sensei_core::services::{StudentSession, SubmissionStatus};
use sensei_core::{Eligibility, Page, UnmetCondition};

use super::{
    EngagementBody, QueuePlaceBody, ReasonParam, SessionStatusBody, StudentScheduledSessionBody,
};

/// One of the signed-in student's sessions (never the instructors' private notes).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentSession", skip_serializing_if_is_none)]
pub struct StudentSessionBody {
    /// The session's id.
    pub id: i32,
    /// The submission it is about.
    pub submission_id: i32,
    /// The challenge's name.
    pub challenge_name: String,
    /// When it was booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Pending, claimed, completed or cancelled.
    pub state: SessionStatusBody,
    /// When it was completed (UTC); absent unless completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The instructor's notes for the student; absent when none.
    pub student_notes: Option<String>,
    /// When the student cancelled it (UTC); absent unless cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The reason given; absent when none.
    pub cancel_reason: Option<String>,
    /// Where it stands in the queue and how long it will probably wait; absent once closed.
    pub queue: Option<QueuePlaceBody>,
}

impl From<&StudentSession> for StudentSessionBody {
    fn from(session: &StudentSession) -> Self {
        Self {
            id: session.id.get(),
            submission_id: session.submission_id.get(),
            challenge_name: session.challenge_name.clone(),
            scheduled_at: session.scheduled_at,
            state: session.state.into(),
            completed_at: session.completed_at,
            student_notes: session.student_notes.as_ref().map(ToString::to_string),
            cancelled_at: session.cancelled_at,
            cancel_reason: session
                .cancel_reason
                .as_ref()
                .map(|reason| reason.as_str().to_owned()),
            queue: session.place.as_ref().map(QueuePlaceBody::from),
        }
    }
}

/// One page of the student's sessions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentSessionPage", skip_serializing_if_is_none)]
pub struct StudentSessionPageBody {
    /// This page, newest first.
    pub items: Vec<StudentSessionBody>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One of the signed-in student's submissions, with whether a session may be booked now.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentSubmission", skip_serializing_if_is_none)]
pub struct StudentSubmissionBody {
    /// The submission's id.
    pub id: i32,
    /// The challenge.
    pub challenge_id: i32,
    /// The challenge's name.
    pub challenge_name: String,
    /// When it was submitted (UTC).
    pub submitted_at: DateTime<Utc>,
    /// The latest review verdict; absent when not reviewed.
    pub latest_review_verdict: Option<String>,
    /// Digi-trainer engagement now.
    pub engagement: EngagementBody,
    /// Whether a sensei session may be booked now.
    pub eligible: bool,
    /// Why, when eligible.
    pub eligibility_reason: Option<ReasonParam>,
    /// Every condition not met, when not eligible.
    pub unmet_conditions: Option<Vec<UnmetConditionBody>>,
    /// The latest session booked for it (among the student's 100 most recent); absent when
    /// none.
    pub latest_session: Option<StudentScheduledSessionBody>,
}

impl StudentSubmissionBody {
    /// The submission with its latest session as of `now`.
    pub fn at(status: &SubmissionStatus, now: DateTime<Utc>) -> Self {
        let (eligible, eligibility_reason, unmet_conditions) = match &status.eligibility {
            Eligibility::Eligible(reason) => (true, Some((*reason).into()), None),
            Eligibility::Ineligible(why) => (
                false,
                None,
                Some(why.unmet.iter().map(Into::into).collect()),
            ),
        };
        let submission = &status.submission;
        Self {
            id: submission.id.get(),
            challenge_id: submission.challenge_id.get(),
            challenge_name: submission.challenge_name.clone(),
            submitted_at: submission.submitted_at,
            latest_review_verdict: submission
                .latest_verdict
                .as_ref()
                .map(|verdict| verdict.as_str().to_owned()),
            engagement: (&status.engagement).into(),
            eligible,
            eligibility_reason,
            unmet_conditions,
            latest_session: status
                .latest_session
                .as_ref()
                .map(|session| StudentScheduledSessionBody::at(session, now)),
        }
    }
}

/// The student's submissions.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentSubmissionList")]
pub struct StudentSubmissionListBody {
    /// Newest first, at most 100.
    pub items: Vec<StudentSubmissionBody>,
}

/// One eligibility condition the student does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "UnmetCondition", skip_serializing_if_is_none)]
pub struct UnmetConditionBody {
    /// The condition (the reason it would have given).
    pub condition: ReasonParam,
    /// What is missing, for people.
    pub message: String,
    /// `needs_work_feedback`: the latest review verdict, absent when never reviewed.
    pub latest_verdict: Option<String>,
    /// `digi_trainer_engagement`: goals engaged or passed.
    pub goals_touched: Option<u32>,
    /// `digi_trainer_engagement`: goals of the challenge.
    pub total_goals: Option<u32>,
    /// `digi_trainer_engagement`: goals engaged or passed that the threshold needs.
    pub goals_needed: Option<u32>,
    /// `digi_trainer_engagement`: the student's engagement percentage.
    pub engagement_percent: Option<u32>,
    /// `digi_trainer_engagement`: the policy's threshold percentage.
    pub threshold_percent: Option<u32>,
}

impl From<&UnmetCondition> for UnmetConditionBody {
    fn from(condition: &UnmetCondition) -> Self {
        let base = UnmetConditionBody {
            condition: condition.reason().into(),
            message: condition.to_string(),
            latest_verdict: None,
            goals_touched: None,
            total_goals: None,
            goals_needed: None,
            engagement_percent: None,
            threshold_percent: None,
        };
        match condition {
            UnmetCondition::NoNeedsWorkReview { latest_verdict } => UnmetConditionBody {
                latest_verdict: latest_verdict.clone(),
                ..base
            },
            UnmetCondition::EngagementBelowThreshold {
                goals_touched,
                total_goals,
                goals_needed,
                percent,
                threshold_percent,
            } => UnmetConditionBody {
                goals_touched: Some(*goals_touched),
                total_goals: Some(*total_goals),
                goals_needed: Some(*goals_needed),
                engagement_percent: Some(*percent),
                threshold_percent: Some(*threshold_percent),
                ..base
            },
        }
    }
}

impl From<&Page<StudentSession>> for StudentSessionPageBody {
    fn from(page: &Page<StudentSession>) -> Self {
        Self {
            items: page.items.iter().map(Into::into).collect(),
            next_cursor: page.next.as_ref().map(|cursor| cursor.encode()),
        }
    }
}
