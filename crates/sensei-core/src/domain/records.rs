//! Read models the ports return: submissions, queue rows, digi-trainer and anatomy conversations.

use chrono::{DateTime, Utc};

use super::ids::{AgentSessionId, ChallengeId, ConversationId, GoalId, SubmissionId, UserId};
use super::progress::ReviewVerdict;
use super::reason::EligibilityReason;
use super::session::ScheduledSession;
use super::text::{refuse_nul, NulInText};

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

/// Which sessions a list shows by state (at the query's `as_of` instant, for claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Waiting for an instructor: open and not under a live claim.
    #[default]
    Pending,
    /// Under a live claim.
    Claimed,
    /// Pending or claimed (the instructors' queue).
    Open,
    /// Completed.
    Completed,
    /// Cancelled by the student.
    Cancelled,
    /// Completed or cancelled (the history).
    Closed,
    /// Every session.
    All,
}

impl StatusFilter {
    /// Whether which sessions match can change with the clock alone, with no write: a live
    /// claim expires and its session moves from claimed to pending. Stores that keep an
    /// answer use this to know it can go stale without a change to the table.
    pub fn changes_with_time(self) -> bool {
        matches!(self, StatusFilter::Pending | StatusFilter::Claimed)
    }

    /// Whether a count of sessions with this status, kept by a store, can follow the clock:
    /// every count but pending's. A pending count grows when a claim lapses, which nothing
    /// kept can tell; a claimed count only drops, at the earliest counted claim's expiry
    /// ([`StatusFilter::count_valid_until`]).
    pub fn count_can_be_kept(self) -> bool {
        self != StatusFilter::Pending
    }

    /// Until when a kept count of this status stays right while nothing is written:
    /// a count of live claims (`earliest_expiry` being the earliest of the counted claims'
    /// expiries) drops when that claim lapses; any other keepable count stays (`None`).
    pub fn count_valid_until(
        self,
        earliest_expiry: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        if self == StatusFilter::Claimed {
            earliest_expiry
        } else {
            None
        }
    }

    /// The text form.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Pending => "pending",
            StatusFilter::Claimed => "claimed",
            StatusFilter::Open => "open",
            StatusFilter::Completed => "completed",
            StatusFilter::Cancelled => "cancelled",
            StatusFilter::Closed => "closed",
            StatusFilter::All => "all",
        }
    }
}

/// The order of a session list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Oldest booking first (the queue).
    #[default]
    OldestFirst,
    /// Newest booking first (history, a student's own sessions).
    NewestFirst,
}

/// Filters for a session list. The default is every pending session, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionQuery {
    /// State filter.
    pub status: StatusFilter,
    /// Only this reason.
    pub reason: Option<EligibilityReason>,
    /// Only this challenge.
    pub challenge_id: Option<ChallengeId>,
    /// Only these challenges (any of them; an instructor's "my challenges"). Empty: no such
    /// filter. Applies together with `challenge_id` when both are set.
    pub challenge_ids: Vec<ChallengeId>,
    /// Only students whose email contains this text (case-insensitive).
    pub student_email_contains: Option<String>,
    /// Only this student's sessions.
    pub student: Option<UserId>,
    /// Only sessions claimed by this instructor (the "mine" filter).
    pub claimed_by: Option<UserId>,
    /// Only sessions completed by this instructor.
    pub completed_by: Option<UserId>,
    /// Only sessions booked at or after this instant.
    pub scheduled_from: Option<DateTime<Utc>>,
    /// Only sessions booked before this instant.
    pub scheduled_before: Option<DateTime<Utc>>,
    /// The instant claims are judged at (live or expired); services set it to now.
    pub as_of: Option<DateTime<Utc>>,
    /// The order.
    pub order: ListOrder,
}

impl SessionQuery {
    /// Applies the text rule ([`refuse_nul`]) to the query's free-text filter. Services call
    /// this on every query an adapter hands them.
    ///
    /// # Errors
    /// [`NulInText`] when the student filter holds a NUL character.
    pub fn check_text(&self) -> Result<(), NulInText> {
        match &self.student_email_contains {
            Some(student) => refuse_nul("student filter", student),
            None => Ok(()),
        }
    }

    /// Whether only the status filter is set (adapters may answer counts from a counter).
    pub fn is_status_only(&self) -> bool {
        self.reason.is_none()
            && self.challenge_id.is_none()
            && self.challenge_ids.is_empty()
            && self.student_email_contains.is_none()
            && self.student.is_none()
            && self.claimed_by.is_none()
            && self.completed_by.is_none()
            && self.scheduled_from.is_none()
            && self.scheduled_before.is_none()
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
    /// The email of the instructor holding a claim on it (live or expired), if any.
    pub holder_email: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::StatusFilter;

    #[test]
    fn only_states_that_a_claim_expiry_moves_change_with_time() {
        let moving: Vec<_> = [
            StatusFilter::Pending,
            StatusFilter::Claimed,
            StatusFilter::Open,
            StatusFilter::Completed,
            StatusFilter::Cancelled,
            StatusFilter::Closed,
            StatusFilter::All,
        ]
        .into_iter()
        .filter(|status| status.changes_with_time())
        .collect();
        assert_eq!(moving, [StatusFilter::Pending, StatusFilter::Claimed]);
    }

    #[test]
    fn every_count_but_pendings_can_be_kept_and_only_live_claims_expire() {
        use chrono::{TimeZone, Utc};
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 4).unwrap();
        assert!(!StatusFilter::Pending.count_can_be_kept());
        assert!(StatusFilter::Claimed.count_can_be_kept());
        assert!(StatusFilter::Completed.count_can_be_kept());
        assert_eq!(StatusFilter::Claimed.count_valid_until(Some(at)), Some(at));
        assert_eq!(StatusFilter::Claimed.count_valid_until(None), None);
        assert_eq!(StatusFilter::Completed.count_valid_until(Some(at)), None);
        assert_eq!(StatusFilter::Open.count_valid_until(Some(at)), None);
    }
}
