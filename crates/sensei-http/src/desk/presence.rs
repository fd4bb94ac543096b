//! Presence: an instructor's page loads, API calls and open streams say they are on duty.

use std::time::Duration;

use sensei_core::{Account, Actor};

use crate::state::AppState;

/// How long a request waits for its presence write before going on without it (the write
/// continues in the background): long enough for a healthy store, so this very page lists the
/// viewer on duty; short enough that a locked or slow store never slows the instructor's
/// pages and API calls noticeably.
pub const PRESENCE_PATIENCE: Duration = Duration::from_millis(100);

/// Notes that `account` is active now. Students are ignored; for instructors the core's
/// memo keeps this to at most one database write a minute per process, and the request
/// waits for it at most [`PRESENCE_PATIENCE`]. Best effort: a failed write is logged, never
/// shown. The live stream calls this when a stream opens and every minute while it stays
/// open.
pub async fn touch(state: &AppState, account: &Account) {
    touch_actor(state, account.actor()).await;
}

/// As [`touch`], for an actor already resolved.
pub async fn touch_actor(state: &AppState, actor: Actor) {
    let Some(at) = state.desk.presence_due(actor) else {
        return;
    };
    let desk = state.desk.clone();
    // At most one task a minute per instructor (the memo), so these stay few.
    let write = tokio::spawn(async move {
        if let Err(error) = desk.record_presence(actor, at).await {
            tracing::warn!(%error, "presence not recorded");
        }
    });
    // Past the patience the write goes on alone; its outcome is logged either way.
    let _finished_in_time = tokio::time::timeout(PRESENCE_PATIENCE, write).await;
}
