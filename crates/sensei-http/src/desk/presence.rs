//! Presence: an instructor's page loads, API calls and open streams say they are on duty.

use sensei_core::Account;

use crate::state::AppState;

/// Notes that `account` is active now. Students are ignored; for instructors the core's
/// memo keeps this to at most one database write a minute per process, so calling it on
/// every request is cheap. Presence is best effort: a failed write is logged, never shown,
/// and the request goes on. The live stream calls this when a stream opens and on its
/// heartbeats.
pub async fn touch(state: &AppState, account: &Account) {
    if !account.role.is_instructor() {
        return;
    }
    if let Err(error) = state.desk.touch(account.actor()).await {
        tracing::warn!(%error, "presence not recorded");
    }
}
