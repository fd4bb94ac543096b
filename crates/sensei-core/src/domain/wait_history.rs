//! What the wait estimate learns from: each recent session's booking, first claim and, for
//! one cancelled before any claim, its cancellation. Its own file so that the estimate
//! ([`super::wait_estimate`]) and its learning step ([`super::wait_learning`]) both read it
//! without importing each other.

use chrono::{DateTime, Utc};

/// One session of the history the estimate learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitHistoryEntry {
    /// When the student booked it.
    pub booked_at: DateTime<Utc>,
    /// When an instructor first claimed it (`None`: not claimed, or not yet).
    pub first_claimed_at: Option<DateTime<Utc>>,
    /// When it was cancelled before any claim (`None` otherwise).
    pub closed_unclaimed_at: Option<DateTime<Utc>>,
}
