//! Reads a signed-in page needs together: who is asking and what they see, as one unit of
//! work.
//!
//! A page request first resolves its sign-in and then reads the page. Done through two ports,
//! that is two trips to the store (two connection checkouts, two hand-overs to a blocking
//! thread); a store that holds both can answer in one. The rules stay here: the use case hands
//! the store a *plan*, a function from the resolved account to the queries to run (or to
//! nothing, when that account may not read the page), so the store decides no access itself.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::accounts::AccountRepository;
use super::scheduled_sessions::{DashboardRead, ScheduledSessionRepository};
use crate::domain::{Account, PageRequest, SessionQuery, SignInToken};
use crate::error::RepositoryError;

/// The dashboard's queries for one viewer: the queue page, the viewer's own claims and
/// everyone's live claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardQueries {
    /// The queue (one page of it is read, with the open and completed totals).
    pub queue: SessionQuery,
    /// The viewer's live claims (counted).
    pub mine: SessionQuery,
    /// Everyone's live claims (counted): the open sessions that are not pending.
    pub claimed: SessionQuery,
}

/// Turns the resolved account into the dashboard's queries, or `None` when that account may
/// not see the dashboard (then nothing more is read).
pub type DashboardPlan = Box<dyn FnOnce(&Account) -> Option<DashboardQueries> + Send>;

/// What a signed-in read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedInRead<T> {
    /// The token names no live sign-in.
    NotSignedIn,
    /// The account is signed in, but the plan refused it; nothing else was read.
    Refused(Account),
    /// The account and what the plan asked for.
    Read(Account, T),
}

/// Reads that resolve a sign-in and what its page shows, as one unit of work where the store
/// can (see the module documentation). [`ComposedReads`] implements it over the two separate
/// ports for stores that cannot.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SignedInReads: Send + Sync {
    /// The account signed in with `token` at `now` (as
    /// [`AccountRepository::signed_in_account`]) and, when `plan` accepts it, the dashboard
    /// read for the plan's queries (as [`ScheduledSessionRepository::dashboard`]).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn dashboard(
        &self,
        token: &SignInToken,
        now: DateTime<Utc>,
        plan: DashboardPlan,
        page: PageRequest,
    ) -> Result<SignedInRead<DashboardRead>, RepositoryError>;
}

/// [`SignedInReads`] over an account port and a session port: one call to each, for stores
/// that keep accounts and sessions apart (an embedder's own stores, tests).
#[derive(Clone)]
pub struct ComposedReads {
    accounts: Arc<dyn AccountRepository>,
    sessions: Arc<dyn ScheduledSessionRepository>,
}

impl ComposedReads {
    /// Over these two ports.
    pub fn new(
        accounts: Arc<dyn AccountRepository>,
        sessions: Arc<dyn ScheduledSessionRepository>,
    ) -> Self {
        Self { accounts, sessions }
    }
}

#[async_trait]
impl SignedInReads for ComposedReads {
    async fn dashboard(
        &self,
        token: &SignInToken,
        now: DateTime<Utc>,
        plan: DashboardPlan,
        page: PageRequest,
    ) -> Result<SignedInRead<DashboardRead>, RepositoryError> {
        let Some(account) = self.accounts.signed_in_account(token, now).await? else {
            return Ok(SignedInRead::NotSignedIn);
        };
        let Some(queries) = plan(&account) else {
            return Ok(SignedInRead::Refused(account));
        };
        let read = self
            .sessions
            .dashboard(&queries.queue, &queries.mine, &queries.claimed, page)
            .await?;
        Ok(SignedInRead::Read(account, read))
    }
}
