//! Everything an instructor reads to prepare a session: the submission, goal progress and
//! digi-trainer conversations.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use sensei_core::services::SessionDetail;
use sensei_core::{
    AgentMessage, AgentSession, GoalProgressEntry, GoalStatus, MessageRole, SubmissionInfo,
};

use super::{EngagementBody, SessionEntryBody};

/// A goal's progress status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "GoalStatus", rename_all = "snake_case")]
pub enum GoalStatusBody {
    /// No progress yet.
    NotStarted,
    /// Talked with the digi-trainer, not passed yet.
    Engaged,
    /// Passed.
    Passed,
}

impl From<GoalStatus> for GoalStatusBody {
    fn from(status: GoalStatus) -> Self {
        match status {
            GoalStatus::NotStarted => GoalStatusBody::NotStarted,
            GoalStatus::Engaged => GoalStatusBody::Engaged,
            GoalStatus::Passed => GoalStatusBody::Passed,
        }
    }
}

/// A goal of the challenge with the student's current progress.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "GoalProgress")]
pub struct GoalProgressBody {
    /// The goal.
    pub goal_id: i32,
    /// Its title.
    pub title: String,
    /// The student's status on it.
    pub status: GoalStatusBody,
}

impl From<&GoalProgressEntry> for GoalProgressBody {
    fn from(goal: &GoalProgressEntry) -> Self {
        Self {
            goal_id: goal.goal_id.get(),
            title: goal.title.clone(),
            status: goal.status.into(),
        }
    }
}

/// The first messages of a digi-trainer session, shortened to previews.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "MessagePreview")]
pub struct MessagePreviewBody {
    /// `student`, `digi_trainer`, or another role as the platform stored it.
    pub role: String,
    /// The text, at most 280 characters (longer text ends with `…`).
    pub content: String,
    /// When it was written (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<&AgentMessage> for MessagePreviewBody {
    fn from(message: &AgentMessage) -> Self {
        let role = match &message.role {
            MessageRole::Student => "student".to_owned(),
            MessageRole::Assistant => "digi_trainer".to_owned(),
            MessageRole::Other(raw) => raw.clone(),
        };
        Self {
            role,
            content: message.content.clone(),
            created_at: message.created_at,
        }
    }
}

/// A digi-trainer session of the student on the challenge.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "DigiTrainerSession", skip_serializing_if_is_none)]
pub struct AgentSessionBody {
    /// The session's id.
    pub id: i32,
    /// The goal it was about, if any.
    pub goal_id: Option<i32>,
    /// That goal's title.
    pub goal_title: Option<String>,
    /// When it started (UTC).
    pub started_at: DateTime<Utc>,
    /// How many messages it has in all.
    pub message_count: u32,
    /// Its first messages, oldest first, as previews.
    pub messages: Vec<MessagePreviewBody>,
}

impl From<&AgentSession> for AgentSessionBody {
    fn from(session: &AgentSession) -> Self {
        Self {
            id: session.id.get(),
            goal_id: session.goal_id.map(|id| id.get()),
            goal_title: session.goal_title.clone(),
            started_at: session.started_at,
            message_count: session.message_count,
            messages: session.messages.iter().map(Into::into).collect(),
        }
    }
}

/// The submission a session is about.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Submission", skip_serializing_if_is_none)]
pub struct SubmissionBody {
    /// The submission's id.
    pub id: i32,
    /// When it was submitted (UTC).
    pub submitted_at: DateTime<Utc>,
    /// The latest instructor review verdict (`needs_work`, `approved`, ...); absent when
    /// not reviewed.
    pub latest_review_verdict: Option<String>,
}

impl From<&SubmissionInfo> for SubmissionBody {
    fn from(submission: &SubmissionInfo) -> Self {
        Self {
            id: submission.id.get(),
            submitted_at: submission.submitted_at,
            latest_review_verdict: submission
                .latest_verdict
                .as_ref()
                .map(|verdict| verdict.as_str().to_owned()),
        }
    }
}

/// Everything an instructor needs to prepare a session.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSessionDetail", skip_serializing_if_is_none)]
pub struct SessionDetailBody {
    /// The session, with the engagement snapshot taken when it was booked.
    pub session: SessionEntryBody,
    /// The submission (absent if it was deleted).
    pub submission: Option<SubmissionBody>,
    /// Engagement now, to compare with the snapshot.
    pub current_engagement: EngagementBody,
    /// The challenge's goals with the student's current progress.
    pub goals: Vec<GoalProgressBody>,
    /// The student's digi-trainer sessions on the challenge, with message previews.
    pub digi_trainer_sessions: Vec<AgentSessionBody>,
    /// The page with the submission's anatomy conversations (HTML, for instructors).
    pub conversations_url: String,
}

impl From<&SessionDetail> for SessionDetailBody {
    fn from(detail: &SessionDetail) -> Self {
        Self {
            session: SessionEntryBody::at(&detail.entry, detail.as_of),
            submission: detail.submission.as_ref().map(Into::into),
            current_engagement: (&detail.current_engagement).into(),
            goals: detail.goals.iter().map(Into::into).collect(),
            digi_trainer_sessions: detail.agent_sessions.iter().map(Into::into).collect(),
            conversations_url: format!(
                "/admin/submissions/{}/conversations",
                detail.entry.session.submission_id
            ),
        }
    }
}
