//! Ports: what the domain needs from the outside world. Adapters (Diesel, in-memory, mocks)
//! implement them. With the `mocks` feature each trait has a `mockall` mock named `Mock<Trait>`.

mod account_admin;
mod accounts;
mod api_tokens;
mod booking;
mod calendar;
mod clock;
mod content;
mod desk;
mod email;
mod event_feed;
mod insights;
mod meetings;
mod preferences;
mod scheduled_sessions;
mod signed_in;
mod submissions;
mod wait_history;
mod webhooks;

pub use account_admin::{
    AccountAdminStore, AccountQuery, AccountUpdate, CreateAccountOutcome, NewAccount,
    PasswordHasher,
};
pub use accounts::{AccountRepository, NoAccounts, PasswordVerifier};
pub use api_tokens::{ApiTokenStore, NoApiTokens, RevokeOutcome, StoredApiToken};
pub use booking::{BookingFacts, BookingReads, ComposedBookingReads};
pub use calendar::{CalendarFeedRepository, NoCalendarFeeds, RandomSource};
pub use clock::{Clock, SystemClock};
pub use content::{AnatomyRepository, DigiTrainerRepository, GoalRepository};
pub use desk::{DeskStore, NoDesk};
pub use email::{EmailAttempt, EmailStore, FoundReset, LeasedEmail, LinkDigest, NoEmail};
pub use event_feed::EventFeed;
pub use insights::InsightsSource;
pub use meetings::{MeetingStore, NoMeetings};
pub use preferences::{NoPreferences, PreferenceStore, TimeZoneCatalog};
pub use scheduled_sessions::{
    ClaimLimit, CreateOutcome, DashboardRead, ScheduledSessionRepository, TransitionOutcome,
};
pub use signed_in::{ComposedReads, DashboardPlan, DashboardQueries, SignedInRead, SignedInReads};
pub use submissions::SubmissionRepository;
pub use wait_history::{NoWaitHistory, WaitHistory};
pub use webhooks::{
    HostResolver, Jitter, LeaseRequest, LeasedDelivery, RecordedAttempt, WebhookStore,
};

#[cfg(any(test, feature = "mocks"))]
pub use account_admin::{MockAccountAdminStore, MockPasswordHasher};
#[cfg(any(test, feature = "mocks"))]
pub use accounts::{MockAccountRepository, MockPasswordVerifier};
#[cfg(any(test, feature = "mocks"))]
pub use api_tokens::MockApiTokenStore;
#[cfg(any(test, feature = "mocks"))]
pub use booking::MockBookingReads;
#[cfg(any(test, feature = "mocks"))]
pub use calendar::{MockCalendarFeedRepository, MockRandomSource};
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
#[cfg(any(test, feature = "mocks"))]
pub use content::{MockAnatomyRepository, MockDigiTrainerRepository, MockGoalRepository};
#[cfg(any(test, feature = "mocks"))]
pub use desk::MockDeskStore;
#[cfg(any(test, feature = "mocks"))]
pub use email::MockEmailStore;
#[cfg(any(test, feature = "mocks"))]
pub use event_feed::MockEventFeed;
#[cfg(any(test, feature = "mocks"))]
pub use insights::MockInsightsSource;
#[cfg(any(test, feature = "mocks"))]
pub use meetings::MockMeetingStore;
#[cfg(any(test, feature = "mocks"))]
pub use preferences::{MockPreferenceStore, MockTimeZoneCatalog};
#[cfg(any(test, feature = "mocks"))]
pub use scheduled_sessions::MockScheduledSessionRepository;
#[cfg(any(test, feature = "mocks"))]
pub use signed_in::MockSignedInReads;
#[cfg(any(test, feature = "mocks"))]
pub use submissions::MockSubmissionRepository;
#[cfg(any(test, feature = "mocks"))]
pub use wait_history::MockWaitHistory;
#[cfg(any(test, feature = "mocks"))]
pub use webhooks::{MockHostResolver, MockJitter, MockWebhookStore};
