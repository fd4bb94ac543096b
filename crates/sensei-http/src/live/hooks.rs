//! Where the live stream meets the instructor's desk: an instructor's "my challenges" default
//! and presence (an open stream counts as activity).

use std::time::Duration;

use sensei_core::{Actor, ChallengeId};

use crate::state::AppState;

/// How often an open stream says its instructor is still there: well inside the 5 minutes
/// "on duty" looks back, and the desk writes at most once a minute anyway.
pub const PRESENCE_EVERY: Duration = Duration::from_secs(60);

/// The challenges an instructor's stream shows when the request names none (`challenge=`)
/// and does not ask for `all=1`: their "my challenges" choice. `None` (every challenge) for
/// students, for an instructor who chose none, and when the choice cannot be read (the
/// stream then shows more, never less; the failure is logged).
pub async fn my_challenges_default(state: &AppState, actor: Actor) -> Option<Vec<ChallengeId>> {
    if !actor.is_instructor() {
        return None;
    }
    match state.desk.my_challenges(actor).await {
        Ok(chosen) if !chosen.is_empty() => Some(chosen),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "my challenges not read: the stream shows every challenge");
            None
        }
    }
}

/// Notes that `actor` is active: called when a stream opens and every [`PRESENCE_EVERY`]
/// while it stays open. Students are ignored; the write delays the stream at most
/// [`crate::desk::presence::PRESENCE_PATIENCE`].
pub async fn note_stream_activity(state: &AppState, actor: Actor) {
    crate::desk::presence::touch_actor(state, actor).await;
}
