//! The JSON shapes of the API (request and response bodies, query values), converted from and
//! into the domain's types. Only this module knows both; one file per area.

mod account;
mod detail;
mod params;
mod queue;
mod requests;
mod session;
mod student;
mod timeline;

pub use account::{RoleBody, SignInRequest, UserBody};
pub use detail::{
    AgentSessionBody, GoalProgressBody, GoalStatusBody, MessagePreviewBody, SessionDetailBody,
    SubmissionBody,
};
pub use params::{HistoryStatusParam, ReasonParam, StatusParam};
pub use queue::{QueuePlaceBody, QueueStatusBody};
pub use requests::{CancellationRequest, CompletionRequest, StrictString};
pub use session::{
    BookingBody, EngagementBody, OutcomeBody, ScheduledSessionBody, SessionEntryBody,
    SessionPageBody, SessionStatusBody, StudentScheduledSessionBody,
};
pub use student::{
    StudentSessionBody, StudentSessionPageBody, StudentSubmissionBody, StudentSubmissionListBody,
    UnmetConditionBody,
};
pub use timeline::{EventBody, EventKindBody, TimelineBody};
