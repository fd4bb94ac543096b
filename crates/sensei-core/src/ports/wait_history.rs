//! The history the wait estimate learns from: recent bookings with their first claim.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::WaitHistoryEntry;
use crate::error::RepositoryError;

/// Where the sessions' booking and first-claim times are read from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WaitHistory: Send + Sync {
    /// Every session booked in `[since, until)`, oldest booking first, with the time of its
    /// first `claimed` event in the audit trail (`first_claimed_at`, whenever it happened, even
    /// after `until`) and, for a session cancelled without ever being claimed, the time of its
    /// cancellation (`closed_unclaimed_at`). Sessions booked outside the window are left out
    /// even when they were still pending inside it.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a stored row cannot be read.
    async fn wait_history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<WaitHistoryEntry>, RepositoryError>;
}

/// For embedders that keep no history: every estimate is "no estimate yet".
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWaitHistory;

#[async_trait]
impl WaitHistory for NoWaitHistory {
    async fn wait_history(
        &self,
        _since: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> Result<Vec<WaitHistoryEntry>, RepositoryError> {
        Ok(Vec::new())
    }
}
