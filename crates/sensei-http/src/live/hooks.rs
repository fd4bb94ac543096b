//! Where the live stream meets features built elsewhere: an instructor's "my challenges"
//! default and presence. Each hook is one function with a neutral body until its feature
//! fills it, so the stream's handler never changes for them.

use sensei_core::{Actor, ChallengeId};

use crate::state::AppState;

/// The challenges an instructor's stream shows when the request names none (`challenge=`)
/// and does not ask for `all=1`: their "my challenges" choice. `None` shows every challenge
/// (today's behaviour, until "my challenges" is stored).
pub async fn my_challenges_default(_state: &AppState, _actor: Actor) -> Option<Vec<ChallengeId>> {
    None
}

/// Opening a stream counts as activity for presence ("active in the last 5 minutes"): called
/// once per opened stream, for every role (the presence feature keeps instructors only).
pub async fn note_stream_opened(_state: &AppState, _actor: Actor) {}
