//! The raw rows queue insights are computed from (the sessions table and the audit trail).
//! Not part of [`crate::services::Ports`] yet: the insights page wires it in.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::insights::InsightsRows;
use crate::domain::ChallengeId;
use crate::error::RepositoryError;

/// Where the rows of queue insights are read from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InsightsSource: Send + Sync {
    /// The rows for insights over `[since, until)` (a period and the one before it), limited
    /// to `challenge` when given:
    /// - `sessions`: every session booked in `[since, until)` (by `scheduled_at`), whatever
    ///   its state now, with its completion (time and completer) and cancellation (time and
    ///   reason) as stored;
    /// - `trail`: the audit-trail events of those sessions other than the booking (claimed,
    ///   renewed, released, completed, cancelled), whenever they happened, each with its id
    ///   and, for claims and renewals, the expiry it set when the event recorded one;
    /// - `oldest_open`: the open (neither completed nor cancelled) session booked earliest,
    ///   whenever that was (ties: the lower id), or `None` when none is open.
    ///
    /// Sessions booked outside the span are left out even when their events fall inside it.
    /// The caller bounds the span (at most two periods of a year).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Internal`] when a stored row cannot be read.
    async fn insights_rows(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        challenge: Option<ChallengeId>,
    ) -> Result<InsightsRows, RepositoryError>;
}
