//! The dashboard's reads: which challenges the queue shows (the URL's, `all=1`, or the
//! viewer's "my challenges"), then the queue, its counts and the viewer's claims, with the
//! cookie's sign-in resolved in the same trip whenever the choice is known without it.

use poem::Request;
use sensei_core::services::Dashboard;
use sensei_core::{Account, PageRequest, SessionQuery};

use super::dashboard_desk::ChallengeScope;
use crate::auth::viewer::{request_session, Claimant};
use crate::desk::my_challenges;
use crate::error::AppError;
use crate::state::AppState;

/// What the dashboard's address asks for.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The queue's filters, `challenge_id` included when the URL names one.
    pub filters: SessionQuery,
    /// Only sessions the viewer holds.
    pub mine_only: bool,
    /// `all=1`: every challenge, whatever the viewer chose.
    pub all: bool,
    /// The page.
    pub page: PageRequest,
}

/// The dashboard's use case for `claimant`, with the challenge scope it applied. With the
/// cookie's sign-in, one trip when the scope is known without the account: named in the URL,
/// `all=1`, or "my challenges" cached in the cookie session (its owner checked afterwards:
/// another owner's cache costs a second read, never a wrong page). Otherwise the account is
/// resolved first, the choice read (and cached), then the page.
///
/// # Errors
/// As the dashboard's use case; [`AppError::sign_in_required`] for a sign-in that ended.
pub async fn read_dashboard(
    state: &AppState,
    req: &Request,
    claimant: Claimant,
    wanted: Wanted,
) -> Result<(Account, ChallengeScope, Dashboard), AppError> {
    let session = request_session(req)?;
    let named = wanted.filters.challenge_id;
    let scope_known = named.is_some() || wanted.all;
    let claimant = match claimant {
        Claimant::SignIn(token) => {
            let cached = my_challenges::cached_with_owner(session);
            let mine = match (&cached, scope_known) {
                (_, true) => Some(Vec::new()),
                (Some((_, chosen)), false) => Some(chosen.clone()),
                (None, false) => None,
            };
            let Some(mine) = mine else {
                return read_for(state, session, Claimant::SignIn(token), wanted).await;
            };
            let scope = ChallengeScope::of(named, wanted.all, mine);
            let filters = SessionQuery {
                challenge_ids: scope.challenge_ids(),
                ..wanted.filters.clone()
            };
            let (account, reads) = state
                .service
                .dashboard_for_sign_in(&token, filters, wanted.mine_only, wanted.page)
                .await?
                .ok_or_else(AppError::sign_in_required)?;
            let owner_matches = cached.is_some_and(|(owner, _)| owner == account.id);
            if scope_known || owner_matches {
                return Ok((account, scope, reads));
            }
            Claimant::Trusted(account)
        }
        trusted @ Claimant::Trusted(_) => trusted,
    };
    read_for(state, session, claimant, wanted).await
}

/// The account first, then its choice (unless the URL decided), then the page.
async fn read_for(
    state: &AppState,
    session: &poem::session::Session,
    claimant: Claimant,
    wanted: Wanted,
) -> Result<(Account, ChallengeScope, Dashboard), AppError> {
    let account = claimant.account(state).await?;
    let named = wanted.filters.challenge_id;
    let mine = if named.is_some() || wanted.all {
        Vec::new()
    } else {
        my_challenges::for_page(state, session, &account)
            .await
            .map_err(|error| AppError::from_domain(&error))?
    };
    let scope = ChallengeScope::of(named, wanted.all, mine);
    let filters = SessionQuery {
        challenge_ids: scope.challenge_ids(),
        claimed_by: wanted.mine_only.then_some(account.id),
        ..wanted.filters
    };
    let reads = state
        .service
        .dashboard(account.actor(), filters, wanted.page)
        .await?;
    Ok((account, scope, reads))
}
