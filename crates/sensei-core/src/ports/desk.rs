//! The instructor's desk: when each instructor was last seen, and the challenges each one
//! mentors ("my challenges").

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{ChallengeChoice, ChallengeId, OnDuty, UserId};
use crate::error::RepositoryError;

/// Where presence and challenge choices are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DeskStore: Send + Sync {
    /// Records that `user` was active at `at` (a later write replaces an earlier one; an
    /// earlier `at` than the stored one is kept out, so processes with skewed memos never
    /// move presence back).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when the user does not exist.
    async fn record_presence(&self, user: UserId, at: DateTime<Utc>)
        -> Result<(), RepositoryError>;

    /// Every instructor last seen at or after `since`, by email, each with the sessions they
    /// hold at `now` (open, with a claim that expires after `now`), oldest booking first; in
    /// one statement. At most `limit` holdings are read in all (a page).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn on_duty(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OnDuty>, RepositoryError>;

    /// The challenges `user` chose, ascending; empty when they chose none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn chosen_challenges(&self, user: UserId) -> Result<Vec<ChallengeId>, RepositoryError>;

    /// Every challenge (at most `limit`, by name), each marked when `user` chose it; in one
    /// statement.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn challenge_choices(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<ChallengeChoice>, RepositoryError>;

    /// Replaces `user`'s choice with `challenges` (empty: none) in one transaction, and
    /// reports only after it is committed.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when the user or a challenge does not exist.
    async fn choose_challenges(
        &self,
        user: UserId,
        challenges: Vec<ChallengeId>,
    ) -> Result<(), RepositoryError>;
}

/// For embedders that keep no desk: nobody is listed on duty, nobody has chosen challenges
/// (so every dashboard shows every challenge), and saving a choice is refused with a message
/// saying why.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDesk;

#[async_trait]
impl DeskStore for NoDesk {
    async fn record_presence(
        &self,
        _user: UserId,
        _at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn on_duty(
        &self,
        _since: DateTime<Utc>,
        _now: DateTime<Utc>,
        _limit: u32,
    ) -> Result<Vec<OnDuty>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn chosen_challenges(&self, _user: UserId) -> Result<Vec<ChallengeId>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn challenge_choices(
        &self,
        _user: UserId,
        _limit: u32,
    ) -> Result<Vec<ChallengeChoice>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn choose_challenges(
        &self,
        _user: UserId,
        _challenges: Vec<ChallengeId>,
    ) -> Result<(), RepositoryError> {
        Err(RepositoryError::Rejected(
            "this service keeps no challenge choices; every challenge is shown".to_owned(),
        ))
    }
}
