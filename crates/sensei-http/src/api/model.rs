//! The JSON shapes of the API (request and response bodies, query values), converted from and
//! into the domain's types. Only this module knows both.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{Enum, Object};
use sensei_core::services::{
    Booking, BookingOutcome, SessionDetail, StudentSession, SubmissionStatus, Timeline,
};
use sensei_core::{
    Account, AgentMessage, AgentSession, Eligibility, EligibilityReason, EngagementSnapshot,
    EventKind, GoalProgressEntry, GoalStatus, MessageRole, Role, ScheduledSession, SessionEvent,
    SessionListEntry, SessionState, StatusFilter, SubmissionInfo,
};

use super::error::UnmetConditionBody;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "Role", rename_all = "snake_case")]
pub enum RoleBody {
    /// Books sessions for their own submissions.
    Student,
    /// Works through the queue and completes sessions.
    Instructor,
    /// Everything an instructor does, and what only admins manage.
    Admin,
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::Student => RoleBody::Student,
            Role::Instructor => RoleBody::Instructor,
            Role::Admin => RoleBody::Admin,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "User")]
pub struct UserBody {
    /// The user's id.
    pub id: i32,
    /// The user's email.
    pub email: String,
    /// The user's role.
    pub role: RoleBody,
}

impl From<&Account> for UserBody {
    fn from(user: &Account) -> Self {
        Self {
            id: user.id.get(),
            email: user.email.clone(),
            role: user.role.into(),
        }
    }
}

/// Credentials to sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SignIn")]
pub struct SignInRequest {
    /// The account's email.
    #[oai(validator(min_length = 1, max_length = 320))]
    pub email: String,
    /// The password.
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// Why a student was eligible (a filter value and the condition of an unmet requirement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "EligibilityReason", rename_all = "snake_case")]
pub enum ReasonParam {
    /// The submission's latest review verdict is `needs_work`.
    NeedsWorkFeedback,
    /// The student's digi-trainer engagement reached the threshold.
    DigiTrainerEngagement,
}

impl From<EligibilityReason> for ReasonParam {
    fn from(reason: EligibilityReason) -> Self {
        match reason {
            EligibilityReason::NeedsWorkFeedback => ReasonParam::NeedsWorkFeedback,
            EligibilityReason::DigiTrainerEngagement => ReasonParam::DigiTrainerEngagement,
        }
    }
}

impl From<ReasonParam> for EligibilityReason {
    fn from(reason: ReasonParam) -> Self {
        match reason {
            ReasonParam::NeedsWorkFeedback => EligibilityReason::NeedsWorkFeedback,
            ReasonParam::DigiTrainerEngagement => EligibilityReason::DigiTrainerEngagement,
        }
    }
}

/// Which sessions the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "StatusFilter", rename_all = "snake_case")]
pub enum StatusParam {
    /// Waiting for an instructor, under no live claim (the default).
    Pending,
    /// Under a live claim.
    Claimed,
    /// Pending or claimed (the queue).
    Open,
    /// Completed.
    Completed,
    /// Cancelled by the student.
    Cancelled,
    /// Completed or cancelled.
    Closed,
    /// Every session.
    All,
}

impl From<StatusParam> for StatusFilter {
    fn from(status: StatusParam) -> Self {
        match status {
            StatusParam::Pending => StatusFilter::Pending,
            StatusParam::Claimed => StatusFilter::Claimed,
            StatusParam::Open => StatusFilter::Open,
            StatusParam::Completed => StatusFilter::Completed,
            StatusParam::Cancelled => StatusFilter::Cancelled,
            StatusParam::Closed => StatusFilter::Closed,
            StatusParam::All => StatusFilter::All,
        }
    }
}

/// Which closed sessions the history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "HistoryStatus", rename_all = "snake_case")]
pub enum HistoryStatusParam {
    /// Completed or cancelled (the default).
    Closed,
    /// Completed.
    Completed,
    /// Cancelled by the student.
    Cancelled,
}

impl From<HistoryStatusParam> for StatusFilter {
    fn from(status: HistoryStatusParam) -> Self {
        match status {
            HistoryStatusParam::Closed => StatusFilter::Closed,
            HistoryStatusParam::Completed => StatusFilter::Completed,
            HistoryStatusParam::Cancelled => StatusFilter::Cancelled,
        }
    }
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "SessionStatus", rename_all = "snake_case")]
pub enum SessionStatusBody {
    /// Waiting for an instructor.
    Pending,
    /// Held by an instructor until `claim_expires_at`.
    Claimed,
    /// Completed; `completed_at` says when.
    Completed,
    /// Cancelled by the student.
    Cancelled,
}

impl From<SessionState> for SessionStatusBody {
    fn from(state: SessionState) -> Self {
        match state {
            SessionState::Pending => SessionStatusBody::Pending,
            SessionState::Claimed => SessionStatusBody::Claimed,
            SessionState::Completed => SessionStatusBody::Completed,
            SessionState::Cancelled => SessionStatusBody::Cancelled,
        }
    }
}

/// Digi-trainer engagement: goals passed, engaged (not passed) and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Object)]
#[oai(rename = "Engagement")]
pub struct EngagementBody {
    /// Goals passed.
    pub goals_passed: u32,
    /// Goals engaged but not passed.
    pub goals_engaged: u32,
    /// Goals of the challenge.
    pub total_goals: u32,
    /// `round((goals_engaged + goals_passed) / total_goals * 100)`, half to even; 0 without goals.
    pub percent: u32,
}

impl From<&EngagementSnapshot> for EngagementBody {
    fn from(snapshot: &EngagementSnapshot) -> Self {
        Self {
            goals_passed: snapshot.goals_passed,
            goals_engaged: snapshot.goals_engaged,
            total_goals: snapshot.total_goals,
            percent: snapshot.percent(),
        }
    }
}

/// A scheduled sensei session, as instructors see it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSession", skip_serializing_if_is_none)]
pub struct ScheduledSessionBody {
    /// The session's id.
    pub id: i32,
    /// The submission it is about.
    pub submission_id: i32,
    /// The student who booked it.
    pub user_id: i32,
    /// Why the student was eligible: `needs_work_feedback` or `digi_trainer_engagement`
    /// (rows written by other versions of the platform may hold another value, shown as
    /// stored; absent when none was recorded).
    pub eligibility_reason: Option<String>,
    /// Pending, claimed, completed or cancelled (a claim past its expiry reads as pending).
    pub status: SessionStatusBody,
    /// The student's engagement when they booked.
    pub snapshot: EngagementBody,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// The instructor holding a live claim (user id); absent unless claimed.
    pub claimed_by: Option<i32>,
    /// When that claim lapses (UTC); absent unless claimed.
    pub claim_expires_at: Option<DateTime<Utc>>,
    /// When an instructor completed it (UTC); absent unless completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who completed it (user id); absent unless completed (or unknown, on rows the
    /// platform wrote).
    pub completed_by: Option<i32>,
    /// The instructors' private notes; absent when none. Never sent to students.
    pub notes: Option<String>,
    /// The notes for the student; absent when none.
    pub student_notes: Option<String>,
    /// When the student cancelled it (UTC); absent unless cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The student's reason; absent when none.
    pub cancel_reason: Option<String>,
}

impl From<&ScheduledSession> for ScheduledSessionBody {
    fn from(session: &ScheduledSession) -> Self {
        let now = Utc::now();
        let claim = session.live_claim_at(now);
        let completion = session.completion();
        let cancellation = session.cancellation();
        Self {
            id: session.id.get(),
            submission_id: session.submission_id.get(),
            user_id: session.user_id.get(),
            eligibility_reason: session.reason.to_stored().map(str::to_owned),
            status: session.state_at(now).into(),
            snapshot: (&session.engagement).into(),
            scheduled_at: session.scheduled_at,
            claimed_by: claim.map(|claim| claim.holder.get()),
            claim_expires_at: claim.map(|claim| claim.expires_at),
            completed_at: completion.map(|done| done.completed_at),
            completed_by: completion
                .and_then(|done| done.completed_by)
                .map(|user| user.get()),
            notes: completion
                .and_then(|done| done.notes.as_ref())
                .map(ToString::to_string),
            student_notes: completion
                .and_then(|done| done.student_notes.as_ref())
                .map(ToString::to_string),
            cancelled_at: cancellation.map(|cancelled| cancelled.cancelled_at),
            cancel_reason: cancellation
                .and_then(|cancelled| cancelled.reason.as_ref())
                .map(|reason| reason.as_str().to_owned()),
        }
    }
}

/// A scheduled sensei session as its student sees it: never the instructors' private notes
/// nor who holds or completed it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentScheduledSession", skip_serializing_if_is_none)]
pub struct StudentScheduledSessionBody {
    /// The session's id.
    pub id: i32,
    /// The submission it is about.
    pub submission_id: i32,
    /// The student who booked it.
    pub user_id: i32,
    /// Why the student was eligible (absent when none was recorded).
    pub eligibility_reason: Option<String>,
    /// Pending, claimed, completed or cancelled.
    pub status: SessionStatusBody,
    /// The student's engagement when they booked.
    pub snapshot: EngagementBody,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// When an instructor completed it (UTC); absent unless completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The instructor's notes for the student; absent when none.
    pub student_notes: Option<String>,
    /// When the student cancelled it (UTC); absent unless cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The student's reason; absent when none.
    pub cancel_reason: Option<String>,
}

impl From<&ScheduledSession> for StudentScheduledSessionBody {
    fn from(session: &ScheduledSession) -> Self {
        let full = ScheduledSessionBody::from(session);
        Self {
            id: full.id,
            submission_id: full.submission_id,
            user_id: full.user_id,
            eligibility_reason: full.eligibility_reason,
            status: full.status,
            snapshot: full.snapshot,
            scheduled_at: full.scheduled_at,
            completed_at: full.completed_at,
            student_notes: full.student_notes,
            cancelled_at: full.cancelled_at,
            cancel_reason: full.cancel_reason,
        }
    }
}

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

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "EventKind", rename_all = "snake_case")]
pub enum EventKindBody {
    /// The student booked it.
    Booked,
    /// An instructor claimed it.
    Claimed,
    /// The holder renewed the claim.
    Renewed,
    /// The holder released it.
    Released,
    /// An instructor completed it.
    Completed,
    /// The student cancelled it.
    Cancelled,
}

impl From<EventKind> for EventKindBody {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Booked => EventKindBody::Booked,
            EventKind::Claimed => EventKindBody::Claimed,
            EventKind::Renewed => EventKindBody::Renewed,
            EventKind::Released => EventKindBody::Released,
            EventKind::Completed => EventKindBody::Completed,
            EventKind::Cancelled => EventKindBody::Cancelled,
        }
    }
}

/// One event of a session's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SessionEvent", skip_serializing_if_is_none)]
pub struct EventBody {
    /// When (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who (user id); absent when unknown.
    pub actor_id: Option<i32>,
    /// Their email; absent when unknown.
    pub actor_email: Option<String>,
    /// What happened.
    pub kind: EventKindBody,
    /// The state before; absent for a booking.
    pub from_state: Option<SessionStatusBody>,
    /// The state after.
    pub to_state: SessionStatusBody,
    /// A short detail (the claim's expiry, the cancellation reason, ...).
    pub detail: Option<String>,
}

impl From<&SessionEvent> for EventBody {
    fn from(event: &SessionEvent) -> Self {
        Self {
            occurred_at: event.occurred_at,
            actor_id: event.actor.map(|user| user.get()),
            actor_email: event.actor_email.clone(),
            kind: event.kind.into(),
            from_state: event.from_state.map(Into::into),
            to_state: event.to_state.into(),
            detail: event.detail.clone(),
        }
    }
}

/// A session with its events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "SessionTimeline")]
pub struct TimelineBody {
    /// The session.
    pub session: SessionEntryBody,
    /// Its events, oldest first (rows the platform wrote before events were kept have none).
    pub events: Vec<EventBody>,
}

impl From<&Timeline> for TimelineBody {
    fn from(timeline: &Timeline) -> Self {
        Self {
            session: (&timeline.entry).into(),
            events: timeline.events.iter().map(Into::into).collect(),
        }
    }
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

impl From<&SubmissionStatus> for StudentSubmissionBody {
    fn from(status: &SubmissionStatus) -> Self {
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
            latest_session: status.latest_session.as_ref().map(Into::into),
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

/// Cancels a session.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Cancellation")]
pub struct CancellationRequest {
    /// Why: trimmed, blank means none, at most 500 characters (longer is refused with 422
    /// `invalid_reason` and nothing changes).
    pub reason: Option<StrictString>,
}

/// A session with its student and challenge, as instructors see it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSessionEntry", skip_serializing_if_is_none)]
pub struct SessionEntryBody {
    /// The session.
    #[oai(flatten)]
    pub session: ScheduledSessionBody,
    /// The student's email.
    pub student_email: String,
    /// The submission's challenge.
    pub challenge_id: i32,
    /// The challenge's name.
    pub challenge_name: String,
    /// The email of the instructor holding a live claim; absent unless claimed.
    pub claimed_by_email: Option<String>,
}

impl From<&SessionListEntry> for SessionEntryBody {
    fn from(entry: &SessionListEntry) -> Self {
        let session: ScheduledSessionBody = (&entry.session).into();
        let claimed_by_email = session.claimed_by.and(entry.holder_email.clone());
        Self {
            session,
            student_email: entry.student_email.clone(),
            challenge_id: entry.challenge_id.get(),
            challenge_name: entry.challenge_name.clone(),
            claimed_by_email,
        }
    }
}

/// Whether a booking recorded a new session or found the recent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "BookingOutcome", rename_all = "snake_case")]
pub enum OutcomeBody {
    /// A new session was recorded (201).
    Created,
    /// A session booked within the dedup window already existed and is returned (200).
    Duplicate,
}

/// The result of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Booking")]
pub struct BookingBody {
    /// `created` or `duplicate`.
    pub outcome: OutcomeBody,
    /// The new or existing session, as the student sees it (a duplicate may be completed:
    /// the instructors' private notes are never included).
    pub session: StudentScheduledSessionBody,
}

impl From<&Booking> for BookingBody {
    fn from(booking: &Booking) -> Self {
        Self {
            outcome: match booking.outcome {
                BookingOutcome::Created => OutcomeBody::Created,
                BookingOutcome::Duplicate => OutcomeBody::Duplicate,
            },
            session: (&booking.session).into(),
        }
    }
}

/// One page of sessions.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSessionPage", skip_serializing_if_is_none)]
pub struct SessionPageBody {
    /// This page, oldest first (`scheduled_at`, then `id`).
    pub items: Vec<SessionEntryBody>,
    /// Sessions matching the filters in all.
    pub total: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

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
            session: (&detail.entry).into(),
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

/// Completes a session.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Completion")]
pub struct CompletionRequest {
    /// The instructors' private notes (never shown to the student): trimmed, blank means
    /// none, at most 10,000 characters (longer notes are refused with 422 `invalid_notes` and
    /// nothing is saved). Only a JSON string (or null): a number or a boolean is 400
    /// `bad_request`, not stored as text.
    pub notes: Option<StrictString>,
    /// Notes for the student, shown on their own pages: the same rules as `notes`.
    pub student_notes: Option<StrictString>,
}

/// A JSON string and nothing else. poem-openapi's `String` also accepts numbers and booleans
/// (`5` becomes `"5"`); request fields that hold user text use this instead, so such a body is
/// refused with 400 `bad_request`. Documented as `string`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StrictString(pub String);

impl Type for StrictString {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        String::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ParseFromJSON for StrictString {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        match value {
            Some(serde_json::Value::String(text)) => Ok(StrictString(text)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ToJSON for StrictString {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.0.clone()))
    }
}
