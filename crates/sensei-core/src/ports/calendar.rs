//! Calendar feeds: which instructor a feed secret belongs to, and fresh secrets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{Actor, FeedTokenHash, UserId, FEED_TOKEN_BYTES};
use crate::error::RepositoryError;

/// Stores each instructor's calendar feed as the digest of its secret, at most one per
/// instructor.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CalendarFeedRepository: Send + Sync {
    /// Atomically makes `hash` the instructor's only feed, created at `now`: their earlier
    /// feed, if any, stops resolving in the same step, so no moment exists where both or
    /// neither work. Reported done only after the change is durable.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached or stays locked;
    /// [`RepositoryError::Rejected`] when the store refuses the row (no such user, or the
    /// digest is already in use); [`RepositoryError::Internal`] otherwise.
    async fn replace(
        &self,
        instructor: UserId,
        hash: FeedTokenHash,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// The owner of the current feed with this digest, with the role the owner has *now*
    /// (not when the feed was made: the service decides whether that role may still read
    /// it); `Ok(None)` when no current feed has it (never issued, or replaced since). One
    /// indexed lookup.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise (including an owner whose stored
    /// role is unknown).
    async fn owner_of(&self, hash: &FeedTokenHash) -> Result<Option<Actor>, RepositoryError>;
}

/// Unpredictable bytes for secrets (the operating system's random source in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// Fresh random bytes for a feed secret.
    ///
    /// # Errors
    /// [`RepositoryError::Internal`] when no randomness is available.
    fn feed_secret(&self) -> Result<[u8; FEED_TOKEN_BYTES], RepositoryError>;
}

/// For embedders that offer no calendar feeds: every secret is unknown and none can be made.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCalendarFeeds;

#[async_trait]
impl CalendarFeedRepository for NoCalendarFeeds {
    async fn replace(
        &self,
        _instructor: UserId,
        _hash: FeedTokenHash,
        _now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        Err(RepositoryError::Rejected(
            "this installation keeps no calendar feeds".to_owned(),
        ))
    }

    async fn owner_of(&self, _hash: &FeedTokenHash) -> Result<Option<Actor>, RepositoryError> {
        Ok(None)
    }
}
