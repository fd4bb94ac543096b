//! The rows of the platform's tables.

use chrono::{DateTime, Utc};
use sensei_core::{
    AgentSessionId, ChallengeId, ConversationId, GoalId, GoalStatus, MessageRole, ReviewVerdict,
    ScheduledSession, SubmissionId, UserId,
};

/// Every table of the platform, as vectors.
#[derive(Debug, Default)]
pub struct PlatformData {
    /// Users.
    pub users: Vec<UserRow>,
    /// Challenges.
    pub challenges: Vec<ChallengeRow>,
    /// Goals of challenges, in each challenge's order.
    pub goals: Vec<GoalRow>,
    /// Students' progress on goals (no row: not started).
    pub progress: Vec<ProgressRow>,
    /// Submissions.
    pub submissions: Vec<SubmissionRow>,
    /// Instructor reviews of submissions.
    pub reviews: Vec<ReviewRow>,
    /// Digi-trainer sessions.
    pub agent_sessions: Vec<AgentSessionRow>,
    /// Digi-trainer messages.
    pub agent_messages: Vec<AgentMessageRow>,
    /// Anatomy conversations.
    pub conversations: Vec<ConversationRow>,
    /// Anatomy conversation messages.
    pub conversation_messages: Vec<ConversationMessageRow>,
    /// The feature's own table.
    pub scheduled_sessions: Vec<ScheduledSession>,
    /// The sessions' audit trail.
    pub events: Vec<sensei_core::NewSessionEvent>,
}

/// A user.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Id.
    pub id: UserId,
    /// Email.
    pub email: String,
}

/// A challenge.
#[derive(Debug, Clone)]
pub struct ChallengeRow {
    /// Id.
    pub id: ChallengeId,
    /// Name.
    pub name: String,
}

/// A goal of a challenge.
#[derive(Debug, Clone)]
pub struct GoalRow {
    /// Id.
    pub id: GoalId,
    /// Its challenge.
    pub challenge_id: ChallengeId,
    /// Title.
    pub title: String,
}

/// A student's status on a goal.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    /// The student.
    pub user_id: UserId,
    /// The goal.
    pub goal_id: GoalId,
    /// The status.
    pub status: GoalStatus,
}

/// A submission.
#[derive(Debug, Clone)]
pub struct SubmissionRow {
    /// Id.
    pub id: SubmissionId,
    /// The student.
    pub user_id: UserId,
    /// The challenge.
    pub challenge_id: ChallengeId,
    /// When.
    pub submitted_at: DateTime<Utc>,
}

/// An instructor review.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// The submission.
    pub submission_id: SubmissionId,
    /// The verdict.
    pub verdict: ReviewVerdict,
    /// When.
    pub reviewed_at: DateTime<Utc>,
}

/// A digi-trainer session.
#[derive(Debug, Clone)]
pub struct AgentSessionRow {
    /// Id.
    pub id: AgentSessionId,
    /// The student.
    pub user_id: UserId,
    /// The challenge.
    pub challenge_id: ChallengeId,
    /// The goal, if any.
    pub goal_id: Option<GoalId>,
    /// When it started.
    pub started_at: DateTime<Utc>,
}

/// A digi-trainer message.
#[derive(Debug, Clone)]
pub struct AgentMessageRow {
    /// Its session.
    pub session_id: AgentSessionId,
    /// Who wrote it.
    pub role: MessageRole,
    /// The text.
    pub content: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An anatomy conversation.
#[derive(Debug, Clone)]
pub struct ConversationRow {
    /// Id.
    pub id: ConversationId,
    /// The submission.
    pub submission_id: SubmissionId,
    /// Title.
    pub title: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
}

/// An anatomy conversation message.
#[derive(Debug, Clone)]
pub struct ConversationMessageRow {
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Who wrote it.
    pub role: MessageRole,
    /// The text.
    pub content: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl PlatformData {
    /// A user's email, or an empty string for an unknown user.
    pub fn email(&self, user: UserId) -> String {
        self.users
            .iter()
            .find(|row| row.id == user)
            .map(|row| row.email.clone())
            .unwrap_or_default()
    }

    /// A challenge's name, or an empty string for an unknown challenge.
    pub fn challenge_name(&self, challenge: ChallengeId) -> String {
        self.challenges
            .iter()
            .find(|row| row.id == challenge)
            .map(|row| row.name.clone())
            .unwrap_or_default()
    }

    /// The submission's row, if any.
    pub fn submission(&self, id: SubmissionId) -> Option<&SubmissionRow> {
        self.submissions.iter().find(|row| row.id == id)
    }
}
