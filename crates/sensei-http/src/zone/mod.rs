//! Times on pages in the viewer's time zone.
//!
//! The choice is kept per account ([`sensei_core::services::Preferences`]) and cached in the
//! signed cookie session keyed by the account, so a page costs no extra database read: the
//! first signed-in page of a browser session reads it once. Everything but pages (the API,
//! exports, calendar feeds, logs) keeps UTC.

mod catalog;
mod lookup;
mod viewer_zone;

pub use catalog::ZoneCatalog;
pub use lookup::zone_of;
pub use viewer_zone::{cached_zone, remember_zone, ViewerZone};
