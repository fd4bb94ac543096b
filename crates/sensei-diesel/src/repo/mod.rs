//! The repositories: every port of `sensei-core`, plus accounts and the platform writer.

mod account_admin;
pub(crate) mod account_changes;
mod accounts;
mod api_tokens;
mod booking;
mod calendar;
mod content;
mod desk;
mod email;
mod email_lease;
mod erase;
mod event_feed;
mod meetings;
#[cfg(feature = "fixtures")]
mod platform;
mod preferences;
pub(crate) mod sessions;
mod signed_in;
mod wait_history;
mod webhook_lease;
mod webhooks;

pub use accounts::{AccountStore, SIGN_IN_PURGE_BATCH};
pub use api_tokens::DieselApiTokens;
pub use booking::DieselBookingReads;
pub use calendar::DieselCalendarFeeds;
pub use content::DieselContent;
pub use desk::DieselDesk;
pub use email::DieselEmail;
pub use event_feed::{DieselEventFeed, MAX_FEED_PAGE};
pub use meetings::DieselMeetings;
#[cfg(feature = "fixtures")]
pub use platform::PlatformWriter;
pub use preferences::DieselPreferences;
pub use sessions::DieselScheduledSessions;
pub use signed_in::DieselSignedInReads;
pub use webhooks::DieselWebhooks;
