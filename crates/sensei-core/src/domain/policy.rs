//! The policy an embedding platform configures.

use chrono::Duration;

/// Scheduling policy: when a student is eligible by engagement, and how long a booking counts
/// as a duplicate of the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    engagement_threshold_percent: u32,
    dedup_window: Duration,
}

/// A policy value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The threshold must be a percentage from 1 to 100.
    #[error("engagement threshold must be between 1 and 100 percent, got {0}")]
    Threshold(u32),
    /// The dedup window must be positive and at most a week.
    #[error("dedup window must be between 1 second and 7 days, got {0} seconds")]
    Window(i64),
}

impl Default for Policy {
    /// 100 % engagement and a one-hour dedup window, as the platform does.
    fn default() -> Self {
        Self {
            engagement_threshold_percent: 100,
            dedup_window: Duration::hours(1),
        }
    }
}

impl Policy {
    /// A checked policy.
    pub fn new(
        engagement_threshold_percent: u32,
        dedup_window: Duration,
    ) -> Result<Self, PolicyError> {
        if !(1..=100).contains(&engagement_threshold_percent) {
            return Err(PolicyError::Threshold(engagement_threshold_percent));
        }
        if dedup_window < Duration::seconds(1) || dedup_window > Duration::days(7) {
            return Err(PolicyError::Window(dedup_window.num_seconds()));
        }
        Ok(Self {
            engagement_threshold_percent,
            dedup_window,
        })
    }

    /// The engagement percentage at or above which a student is eligible.
    pub fn engagement_threshold_percent(&self) -> u32 {
        self.engagement_threshold_percent
    }

    /// A booking less than this long after the previous one for the same student and
    /// submission is a duplicate.
    pub fn dedup_window(&self) -> Duration {
        self.dedup_window
    }
}
