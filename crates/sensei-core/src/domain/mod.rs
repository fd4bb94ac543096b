//! Domain types: ids, the scheduled session and its lifecycle, engagement, eligibility, policy.

pub mod account;
pub mod actor;
pub mod eligibility;
pub mod engagement;
pub mod ids;
pub mod notes;
pub mod paging;
pub mod policy;
pub mod progress;
pub mod reason;
pub mod records;
pub mod session;

pub use account::{normalize_email, Account, SignIn, SignInToken, StoredAccount, SIGN_IN_LIFETIME};
pub use actor::{Actor, Role};
pub use eligibility::{evaluate_eligibility, Eligibility, Ineligibility, UnmetCondition};
pub use engagement::{engagement_percent, EngagementSnapshot};
pub use ids::{
    AgentSessionId, ChallengeId, ConversationId, GoalId, ScheduledSessionId, SubmissionId, UserId,
};
pub use notes::{Notes, NotesError, MAX_NOTES_CHARS};
pub use paging::{Page, PageRequest, PageSize, SessionCursor, MAX_PAGE_SIZE};
pub use policy::{is_within_dedup_window, Policy, PolicyError};
pub use progress::{GoalProgressEntry, GoalStatus, ReviewVerdict};
pub use reason::{EligibilityReason, RecordedReason, UnknownReason};
pub use records::{
    AgentMessage, AgentSession, AnatomyConversation, ConversationMessage, MessageRole,
    SessionListEntry, SessionQuery, StatusFilter, SubmissionInfo,
};
pub use session::{Completion, NewScheduledSession, ScheduledSession, SessionLifecycle};
