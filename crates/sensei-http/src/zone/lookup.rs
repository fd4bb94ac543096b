//! The zone of a signed-in viewer: from the cookie session's cache, else read once.

use poem::session::Session;
use sensei_core::services::Preferences;
use sensei_core::Account;

use super::{cached_zone, remember_zone, ViewerZone};

/// The zone `account` sees times in. Read from the account's preferences on the first page
/// of a cookie session and cached in it; a store that fails shows UTC for this page only
/// (a display preference never fails a page) and is asked again on the next. Takes the
/// preferences use case, not the application state, so that this module stays below it.
pub async fn zone_of(
    preferences: &Preferences,
    session: &Session,
    account: &Account,
) -> ViewerZone {
    if let Some(zone) = cached_zone(session, account.id) {
        return zone;
    }
    match preferences.time_zone(account.actor()).await {
        Ok(name) => {
            let zone = ViewerZone::named(name.as_str());
            remember_zone(session, account.id, zone);
            zone
        }
        Err(error) => {
            tracing::warn!(%error, "time zone preference unreadable; showing UTC");
            ViewerZone::utc()
        }
    }
}
