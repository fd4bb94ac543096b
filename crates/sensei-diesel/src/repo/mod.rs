//! The repositories: every port of `sensei-core`, plus accounts and the platform writer.

mod content;
mod platform;
mod sessions;

pub use content::DieselContent;
pub use platform::{AccountStore, PlatformWriter, UserAccount};
pub use sessions::DieselScheduledSessions;
