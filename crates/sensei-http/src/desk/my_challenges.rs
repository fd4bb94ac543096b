//! The challenges an instructor mentors: what their dashboard and live stream default to.

use poem::session::Session;
use sensei_core::{Account, ChallengeId, DeskError, UserId};

use crate::state::AppState;

/// The cookie session's key for the cached choice: `"<user id>:<id>,<id>"` (nothing after
/// the colon when none is chosen), keyed by the account so a cookie that changes hands never
/// shows another's choice.
const SESSION_KEY: &str = "my_challenges";

/// The challenges `account` chose, read from the store (empty: none chosen, or not an
/// instructor). For the live stream and the API, which have no cookie session to cache in.
///
/// # Errors
/// [`DeskError::Repository`] when the store fails.
pub async fn of(state: &AppState, account: &Account) -> Result<Vec<ChallengeId>, DeskError> {
    state.desk.my_challenges(account.actor()).await
}

/// As [`of`], cached in the cookie session: the first dashboard of a browser session reads
/// the store, later ones none. Saving the choice on this browser updates the cache
/// ([`remember`]); a choice saved in another browser shows here from the next sign-in.
///
/// # Errors
/// [`DeskError::Repository`] when the store fails.
pub async fn for_page(
    state: &AppState,
    session: &Session,
    account: &Account,
) -> Result<Vec<ChallengeId>, DeskError> {
    if let Some(cached) = cached(session, account.id) {
        return Ok(cached);
    }
    let chosen = of(state, account).await?;
    remember(session, account.id, &chosen);
    Ok(chosen)
}

/// The choice cached in the cookie session for `user`, if it holds one for them.
pub fn cached(session: &Session, user: UserId) -> Option<Vec<ChallengeId>> {
    cached_with_owner(session).and_then(|(owner, chosen)| (owner == user).then_some(chosen))
}

/// The choice cached in the cookie session and whose it is (for a page that reads before it
/// knows the account: it checks the owner afterwards).
pub fn cached_with_owner(session: &Session) -> Option<(UserId, Vec<ChallengeId>)> {
    let value = session.get::<String>(SESSION_KEY)?;
    let (owner, ids) = value.split_once(':')?;
    let owner = UserId(owner.parse::<i32>().ok()?);
    let chosen = ids
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| id.parse::<i32>().ok().map(ChallengeId))
        .collect::<Option<Vec<_>>>()?;
    Some((owner, chosen))
}

/// Caches `chosen` as `user`'s choice in the cookie session.
pub fn remember(session: &Session, user: UserId, chosen: &[ChallengeId]) {
    let ids: Vec<String> = chosen.iter().map(|id| id.get().to_string()).collect();
    session.set(SESSION_KEY, format!("{}:{}", user.get(), ids.join(",")));
}
