//! Domain types: ids, the scheduled session and its lifecycle, engagement, eligibility, policy.

pub mod account;
pub mod account_admin;
pub mod account_changes;
pub mod actions;
pub mod actor;
pub mod api_token;
pub mod calendar;
pub mod cancel;
pub mod desk;
pub mod eligibility;
pub mod email;
pub mod engagement;
pub mod events;
pub mod ids;
pub mod insights;
pub mod live;
pub mod meeting;
pub mod notes;
pub mod paging;
pub mod password;
pub mod policy;
pub mod progress;
pub mod queue_place;
pub mod reason;
pub mod records;
pub mod session;
pub mod student_search;
pub mod text;
pub mod time_zone;
pub mod wait_estimate;
mod wait_history;
mod wait_learning;
pub mod webhook_address;
pub mod webhook_lanes;
pub mod webhook_payload;
pub mod webhook_retry;
pub mod webhooks;
pub mod workflow;

#[cfg(test)]
mod tests;

pub use account::{normalize_email, Account, SignIn, SignInToken, StoredAccount, SIGN_IN_LIFETIME};
pub use account_admin::{account_email, AccountSummary, EmailError, ImportRow, MAX_EMAIL_CHARS};
pub use account_changes::{
    erased_email, is_erased_email, keeps_an_admin, AccountChange, AccountChangeKind, AdminStanding,
    ChangeActor, LastAdmin, NewAccountChange, RecordedChange, ERASED_TEXT,
};
pub use actions::InstructorActions;
pub use actor::{Actor, Reader, Role};
pub use api_token::{
    is_expired, last_use_is_due, ApiToken, ApiTokenHash, ApiTokenInputError, ApiTokenLifetime,
    ApiTokenName, ApiTokenRecord, ApiTokenStatus, NewApiToken, API_TOKEN_BYTES, API_TOKEN_CHARS,
    API_TOKEN_PREFIX, DEFAULT_API_TOKEN_DAYS, LAST_USE_RESOLUTION, MAX_API_TOKEN_DAYS,
    MAX_API_TOKEN_NAME_CHARS,
};
pub use calendar::{
    CalendarFeed, FeedToken, FeedTokenHash, HeldSession, FEED_TOKEN_BYTES, FEED_TOKEN_CHARS,
};
pub use cancel::{CancelReason, CancelReasonError, MAX_CANCEL_REASON_CHARS};
pub use desk::{
    checked_choice, is_on_duty, on_duty_since, presence_write_due, ChallengeChoice, HeldByOnDuty,
    OnDuty, MAX_CHALLENGE_CHOICES, PRESENCE_WINDOW, PRESENCE_WRITE_INTERVAL,
};
pub use eligibility::{evaluate_eligibility, Eligibility, Ineligibility, UnmetCondition};
pub use email::{
    decide_send, give_up_after, header_text, EmailKind, LinkSecret, ResetRefusal, ResetRequest,
    Skip, LINK_SECRET_BYTES, RESET_LIFETIME,
};
pub use engagement::{engagement_percent, EngagementSnapshot};
pub use events::{EventKind, NewSessionEvent, SessionEvent};
pub use ids::{
    AgentSessionId, ApiTokenId, ChallengeId, ConversationId, GoalId, ScheduledSessionId,
    SubmissionId, UserId,
};
pub use live::{
    admit_stream, FeedCursor, FeedEvent, StreamCaps, StreamRefusal, Viewer, Visible, GAP_PATIENCE,
};
pub use meeting::{Meeting, MeetingError, MeetingLink, StoredMeeting, MAX_MEETING_LINK_CHARS};
pub use notes::{Notes, NotesError, MAX_NOTES_CHARS};
pub use paging::{Page, PageRequest, PageSize, SessionCursor, MAX_PAGE_SIZE};
pub use password::{
    NewPassword, PasswordError, PasswordFormat, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};
pub use policy::{is_within_dedup_window, Policy, PolicyError};
pub use progress::{GoalProgressEntry, GoalStatus, ReviewVerdict};
pub use queue_place::{queue_position, QueuePlace};
pub use reason::{EligibilityReason, RecordedReason, UnknownReason};
pub use records::{
    AgentMessage, AgentSession, AnatomyConversation, ConversationMessage, ListOrder, MessageRole,
    SessionListEntry, SessionQuery, StatusFilter, SubmissionInfo,
};
pub use session::{
    Cancellation, Claim, Completion, NewScheduledSession, ScheduledSession, SessionLifecycle,
    SessionState,
};
pub use student_search::{student_search, StudentSearchTooLong, MAX_STUDENT_SEARCH_CHARS};
pub use text::{refuse_nul, NulInText};
pub use time_zone::{TimeZoneName, MAX_TIME_ZONE_CHARS};
pub use wait_estimate::{
    wait_history_window, WaitEstimate, WaitHistoryEntry, WaitModel, MIN_FIRST_CLAIMS,
    WAIT_HISTORY_DAYS, WAIT_HORIZON_DAYS,
};
pub use webhook_address::{is_public, AddressPolicy, AddressRange, AddressRangeError};
pub use webhook_lanes::{DeliveryLanes, LaneLimits, LaneTicket, LeaseRoom, SlowVerdict};
pub use webhook_payload::{SessionFacts, SessionSnapshot, WebhookPayload};
pub use webhook_retry::RetryPolicy;
pub use webhooks::{
    failure_summary, AttemptLogEntry, AttemptResult, EventFilter, NewWebhookEndpoint, NextStep,
    OutboxStats, WebhookEndpoint, WebhookEndpointId, WebhookHost, WebhookInputError, WebhookSecret,
    WebhookUrl, ALL_EVENT_KINDS, MAX_ATTEMPT_ERROR_CHARS, MAX_WEBHOOK_URL_CHARS,
};
pub use workflow::Refusal;
