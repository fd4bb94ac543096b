//! Use cases: what students, instructors and operators do, with access checked here for every adapter.

mod account_admin;
mod accounts;
mod api_tokens;
mod booking;
mod calendar;
mod completion;
mod desk;
mod email;
mod export;
mod history;
mod instructor;
mod preferences;
mod queue;
mod student;
#[cfg(test)]
mod tests;
mod transition;
mod webhooks;
mod workflow;

use std::sync::Arc;

use crate::domain::Policy;
use crate::ports::{
    AccountRepository, AnatomyRepository, BookingReads, Clock, DigiTrainerRepository,
    GoalRepository, PasswordVerifier, ScheduledSessionRepository, SignedInReads,
    SubmissionRepository,
};

pub use account_admin::{
    parse_role, AccountManager, AccountService, Erasure, ImportedRow, MAX_LISTED_ACCOUNTS,
    MAX_LISTED_CHANGES,
};
pub use api_tokens::{
    ApiTokenList, ApiTokenService, BearerAccess, CreatedApiToken, TokenManager, MAX_LISTED_TOKENS,
};
pub use booking::{Booking, BookingOutcome};
pub use calendar::CalendarFeeds;
pub use desk::{Desk, ON_DUTY_HOLDINGS};
pub use email::{DueEmail, EmailContent, EmailPorts, EmailService};
pub use export::SessionExport;
pub use history::{StudentSession, StudentSessions, Timeline};
pub use instructor::{Dashboard, SessionDetail, SessionListing, SubmissionConversations};
pub use preferences::Preferences;
pub use queue::{MAX_PLACES_PER_PAGE, WAIT_MODEL_REFRESH};
pub use student::{MySubmissions, SubmissionOverview, SubmissionStatus};
pub use webhooks::{
    CreatedEndpoint, DueDelivery, WebhookManager, WebhookService, MAX_LISTED_ENDPOINTS,
};

/// How many digi-trainer sessions the detail page shows.
pub const DETAIL_AGENT_SESSIONS: u32 = 20;
/// How many messages of each digi-trainer session the detail page previews.
pub const DETAIL_MESSAGES_PER_SESSION: u32 = 3;
/// How many characters of a message a preview keeps.
pub const PREVIEW_CHARS: usize = 280;
/// How many messages of an anatomy conversation are shown.
pub const CONVERSATION_MESSAGES: u32 = 200;
/// How many events a session's timeline shows.
pub const TIMELINE_EVENTS: u32 = 200;
/// How many of a student's submissions are listed.
pub const STUDENT_SUBMISSIONS: u32 = 100;

/// The adapters the service runs on.
#[derive(Clone)]
pub struct Ports {
    /// Scheduled sessions.
    pub sessions: Arc<dyn ScheduledSessionRepository>,
    /// Submissions.
    pub submissions: Arc<dyn SubmissionRepository>,
    /// Goals and progress.
    pub goals: Arc<dyn GoalRepository>,
    /// Digi-trainer sessions.
    pub digi_trainer: Arc<dyn DigiTrainerRepository>,
    /// Anatomy conversations.
    pub anatomy: Arc<dyn AnatomyRepository>,
    /// Accounts and sign-ins ([`crate::ports::NoAccounts`] when the embedder authenticates
    /// users itself).
    pub accounts: Arc<dyn AccountRepository>,
    /// Password verification.
    pub passwords: Arc<dyn PasswordVerifier>,
    /// A booking's submission and goal progress read together
    /// ([`crate::ports::ComposedBookingReads`] over `submissions` and `goals` when the store
    /// cannot do it in one unit of work).
    pub booking: Arc<dyn BookingReads>,
    /// A sign-in and its page read together ([`crate::ports::ComposedReads`] over `accounts`
    /// and `sessions` when the store cannot do it in one unit of work).
    pub signed_in: Arc<dyn SignedInReads>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

/// The scheduling service: every use case, over the [`Ports`], under a [`Policy`].
/// Cheap to clone (it holds `Arc`s).
#[derive(Clone)]
pub struct SenseiService {
    ports: Ports,
    policy: Policy,
    meetings: Arc<dyn crate::ports::MeetingStore>,
    waits: queue::WaitEstimator,
}

impl SenseiService {
    /// A service over these ports with this policy.
    pub fn new(ports: Ports, policy: Policy) -> Self {
        Self {
            ports,
            policy,
            meetings: Arc::new(crate::ports::NoMeetings),
            waits: queue::WaitEstimator::default(),
        }
    }

    /// This service with a store for the meeting details given with claims (else none are
    /// kept: [`crate::ports::NoMeetings`]).
    pub fn with_meetings(self, meetings: Arc<dyn crate::ports::MeetingStore>) -> Self {
        Self { meetings, ..self }
    }

    /// Session `id` as the queue lists it, or [`QueryError::NotFound`] for the reads that
    /// need one (detail, timeline, place in line).
    async fn existing_session(
        &self,
        id: crate::domain::ScheduledSessionId,
    ) -> Result<crate::domain::SessionListEntry, crate::error::QueryError> {
        self.ports
            .sessions
            .get(id)
            .await?
            .ok_or(crate::error::QueryError::NotFound {
                resource: crate::error::Resource::ScheduledSession,
                id: id.get(),
            })
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The instant by the service's [`Clock`]: what a write's returned session is shown as
    /// of (reads carry their own `as_of`). Adapters take "now" from here, never from the
    /// wall clock, so that a test's clock rules every page.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.clock.now()
    }
}

/// Shortens text for a preview: text of at most `max` characters is returned as is; longer
/// text keeps its first `max` characters (cut on a character boundary, never inside a
/// multibyte character, trailing whitespace removed) followed by an ellipsis (`…`).
///
/// ```
/// use sensei_core::services::preview;
/// assert_eq!(preview("héllo", 5), "héllo");
/// assert_eq!(preview("héllo wörld", 6), "héllo…");
/// ```
pub fn preview(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let mut shortened = text[..cut].trim_end().to_owned();
            shortened.push('…');
            shortened
        }
    }
}
