//! The audit trail read as a feed: the live stream reads the events committed after the last
//! one it delivered, in id order, whichever process wrote them.

use async_trait::async_trait;

use crate::domain::FeedEvent;
use crate::error::RepositoryError;

/// The events of every session, by their audit-trail id.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventFeed: Send + Sync {
    /// At most `limit` committed events with an id above `after`, lowest id first, each with
    /// its session's challenge and student. One indexed read: a caller pages by passing the
    /// last id it received. On PostgreSQL ids can commit out of order (a lower id may appear
    /// after a higher one was read): callers re-read from their contiguous cursor
    /// ([`crate::domain::live::FeedCursor`]).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a stored event cannot be read (an unknown kind).
    async fn events_after(&self, after: i64, limit: u32)
        -> Result<Vec<FeedEvent>, RepositoryError>;

    /// The highest committed event id (0 when there is none): where a new stream starts.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn latest_event_id(&self) -> Result<i64, RepositoryError>;
}
