//! Read models the ports return: submissions, queue rows, digi-trainer and anatomy conversations.

use chrono::{DateTime, Utc};

use super::ids::{AgentSessionId, ChallengeId, ConversationId, GoalId, SubmissionId, UserId};
use super::progress::ReviewVerdict;
use super::reason::EligibilityReason;
use super::session::ScheduledSession;

/// A submission with what the rules and pages need about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionInfo {
    /// The submission.
    pub id: SubmissionId,
    /// Its owner (the student).
    pub owner: UserId,
    /// The owner's email.
    pub owner_email: String,
    /// The challenge it answers.
    pub challenge_id: ChallengeId,
    /// The challenge's name.
    pub challenge_name: String,
    /// When it was submitted (UTC).
    pub submitted_at: DateTime<Utc>,
    /// The latest instructor review verdict, if reviewed.
    pub latest_verdict: Option<ReviewVerdict>,
}

/// Which sessions a list shows by lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Waiting for an instructor (the dashboard queue).
    #[default]
    Pending,
    /// Completed.
    Completed,
    /// Both.
    All,
}

impl StatusFilter {
    /// The text form.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Pending => "pending",
            StatusFilter::Completed => "completed",
            StatusFilter::All => "all",
        }
    }
}

/// Filters for the session list. The default is the dashboard queue: every pending session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionQuery {
    /// Lifecycle filter.
    pub status: StatusFilter,
    /// Only this reason.
    pub reason: Option<EligibilityReason>,
    /// Only this challenge.
    pub challenge_id: Option<ChallengeId>,
    /// Only students whose email contains this text (case-insensitive).
    pub student_email_contains: Option<String>,
}

impl SessionQuery {
    /// Whether only the status filter is set (adapters may answer counts from a counter).
    pub fn is_status_only(&self) -> bool {
        self.reason.is_none()
            && self.challenge_id.is_none()
            && self.student_email_contains.is_none()
    }
}

/// A queue row: the session with the student's email and the challenge's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionListEntry {
    /// The session.
    pub session: ScheduledSession,
    /// The student's email.
    pub student_email: String,
    /// The submission's challenge.
    pub challenge_id: ChallengeId,
    /// The challenge's name.
    pub challenge_name: String,
}

/// Who wrote a message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRole {
    /// The student.
    Student,
    /// The digi-trainer or another assistant.
    Assistant,
    /// Any other role the platform records.
    Other(String),
}

impl MessageRole {
    /// Parses the stored form (`user`/`student`, `assistant`/`agent`, anything else).
    pub fn parse(raw: &str) -> MessageRole {
        match raw.trim() {
            "user" | "student" => MessageRole::Student,
            "assistant" | "agent" | "digi_trainer" => MessageRole::Assistant,
            other => MessageRole::Other(other.to_owned()),
        }
    }
}

/// One message of a digi-trainer session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMessage {
    /// Who wrote it.
    pub role: MessageRole,
    /// The text (possibly shortened to a preview by the service).
    pub content: String,
    /// When it was written (UTC).
    pub created_at: DateTime<Utc>,
}

/// A digi-trainer session of a student on a challenge, with its first messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSession {
    /// The session.
    pub id: AgentSessionId,
    /// The goal it was about, if any.
    pub goal_id: Option<GoalId>,
    /// The goal's title, if any.
    pub goal_title: Option<String>,
    /// When it started (UTC).
    pub started_at: DateTime<Utc>,
    /// How many messages it has in all.
    pub message_count: u32,
    /// Its first messages, oldest first.
    pub messages: Vec<AgentMessage>,
}

/// One message of an anatomy conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationMessage {
    /// Who wrote it.
    pub role: MessageRole,
    /// The text.
    pub content: String,
    /// When (UTC).
    pub created_at: DateTime<Utc>,
}

/// An anatomy conversation about a submission (the platform's code walk-through chat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnatomyConversation {
    /// The conversation.
    pub id: ConversationId,
    /// The submission.
    pub submission_id: SubmissionId,
    /// Its title.
    pub title: String,
    /// When it started (UTC).
    pub started_at: DateTime<Utc>,
    /// Its messages, oldest first.
    pub messages: Vec<ConversationMessage>,
}
