//! API tokens: stored by the digest of their secret, found by it in one lookup.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    Account, ApiTokenHash, ApiTokenId, ApiTokenRecord, ChangeActor, NewApiToken, UserId,
};
use crate::error::RepositoryError;

/// A token found by its digest: its owner as they are now, and its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiToken {
    /// The token's id.
    pub id: ApiTokenId,
    /// The owner, with the role they have now (not when the token was made).
    pub owner: Account,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// When its last use was written, if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What revoking a token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// The token stopped working now.
    Revoked,
    /// It had been revoked before; nothing changed.
    AlreadyRevoked,
    /// No such token (or not the given owner's).
    NotFound,
}

/// Keeps API tokens as the digests of their secrets.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ApiTokenStore: Send + Sync {
    /// Stores a new token and records [`crate::domain::AccountChange::TokenCreated`] by `by`
    /// in the same transaction; reported done only after both are durable.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when it refuses the row (no such owner, a digest already
    /// in use); [`RepositoryError::Internal`] otherwise.
    async fn create(
        &self,
        token: NewApiToken,
        by: &ChangeActor,
    ) -> Result<ApiTokenId, RepositoryError>;

    /// The token with this digest, unless it was revoked or its owner is disabled, joined to
    /// its owner (one indexed lookup); `Ok(None)` otherwise. Expiry is not checked here:
    /// that rule is the caller's.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when the row cannot be read (an unknown role).
    async fn find_by_hash(
        &self,
        hash: &ApiTokenHash,
    ) -> Result<Option<StoredApiToken>, RepositoryError>;

    /// Writes `now` as the token's last use, unless a use at or after `unless_since` is
    /// already written (so processes racing on one token write once).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached or stays locked.
    async fn record_use(
        &self,
        id: ApiTokenId,
        now: DateTime<Utc>,
        unless_since: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Tokens, newest first, at most `limit`: every owner's, or only `owner`'s. Revoked and
    /// expired ones included.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a row cannot be read.
    async fn list(
        &self,
        owner: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<ApiTokenRecord>, RepositoryError>;

    /// Revokes the token with this id at `now` (when `owner` is given, only if the token is
    /// theirs), recording [`crate::domain::AccountChange::TokenRevoked`] by `by` in the same
    /// transaction.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached or stays locked.
    async fn revoke(
        &self,
        id: ApiTokenId,
        owner: Option<UserId>,
        now: DateTime<Utc>,
        by: &ChangeActor,
    ) -> Result<RevokeOutcome, RepositoryError>;
}

/// For embedders that offer no API tokens: every token is unknown and none can be made.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoApiTokens;

#[async_trait]
impl ApiTokenStore for NoApiTokens {
    async fn create(
        &self,
        _token: NewApiToken,
        _by: &ChangeActor,
    ) -> Result<ApiTokenId, RepositoryError> {
        Err(RepositoryError::Rejected(
            "this installation keeps no API tokens".to_owned(),
        ))
    }

    async fn find_by_hash(
        &self,
        _hash: &ApiTokenHash,
    ) -> Result<Option<StoredApiToken>, RepositoryError> {
        Ok(None)
    }

    async fn record_use(
        &self,
        _id: ApiTokenId,
        _now: DateTime<Utc>,
        _unless_since: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn list(
        &self,
        _owner: Option<UserId>,
        _limit: u32,
    ) -> Result<Vec<ApiTokenRecord>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn revoke(
        &self,
        _id: ApiTokenId,
        _owner: Option<UserId>,
        _now: DateTime<Utc>,
        _by: &ChangeActor,
    ) -> Result<RevokeOutcome, RepositoryError> {
        Ok(RevokeOutcome::NotFound)
    }
}
