//! The policy an embedding platform configures.

use chrono::{DateTime, Duration, Utc};

/// Scheduling policy: when a student is eligible by engagement, and how long a booking counts
/// as a duplicate of the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    engagement_threshold_percent: u32,
    dedup_window: Duration,
    claim_time: Duration,
    max_live_claims: u32,
    max_open_sessions: u32,
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
    /// The claim time must be from one minute to one day.
    #[error("claim time must be between 60 seconds and 1 day, got {0} seconds")]
    ClaimTime(i64),
    /// The live-claims limit must be from 1 to 100.
    #[error("live claims per instructor must be between 1 and 100, got {0}")]
    ClaimLimit(u32),
    /// The open-sessions limit must be from 1 to 100.
    #[error("open sessions per student must be between 1 and 100, got {0}")]
    OpenSessionLimit(u32),
}

impl Default for Policy {
    /// 100 % engagement and a one-hour dedup window, as the platform does; claims of 30
    /// minutes, at most 4 live claims per instructor and 3 open sessions per student.
    fn default() -> Self {
        Self {
            engagement_threshold_percent: 100,
            dedup_window: Duration::hours(1),
            claim_time: Duration::minutes(30),
            max_live_claims: 4,
            max_open_sessions: 3,
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
            ..Self::default()
        })
    }

    /// This policy with another claim time (1 minute to 1 day).
    ///
    /// # Errors
    /// [`PolicyError::ClaimTime`] out of that range.
    pub fn with_claim_time(self, claim_time: Duration) -> Result<Self, PolicyError> {
        if claim_time < Duration::minutes(1) || claim_time > Duration::days(1) {
            return Err(PolicyError::ClaimTime(claim_time.num_seconds()));
        }
        Ok(Self { claim_time, ..self })
    }

    /// This policy with another limit of live claims per instructor (1 to 100).
    ///
    /// # Errors
    /// [`PolicyError::ClaimLimit`] out of that range.
    pub fn with_max_live_claims(self, max_live_claims: u32) -> Result<Self, PolicyError> {
        if !(1..=100).contains(&max_live_claims) {
            return Err(PolicyError::ClaimLimit(max_live_claims));
        }
        Ok(Self {
            max_live_claims,
            ..self
        })
    }

    /// This policy with another limit of open sessions per student (1 to 100).
    ///
    /// # Errors
    /// [`PolicyError::OpenSessionLimit`] out of that range.
    pub fn with_max_open_sessions(self, max_open_sessions: u32) -> Result<Self, PolicyError> {
        if !(1..=100).contains(&max_open_sessions) {
            return Err(PolicyError::OpenSessionLimit(max_open_sessions));
        }
        Ok(Self {
            max_open_sessions,
            ..self
        })
    }

    /// How long a claim holds (renewing restarts it).
    pub fn claim_time(&self) -> Duration {
        self.claim_time
    }

    /// The most live claims one instructor may hold.
    pub fn max_live_claims(&self) -> u32 {
        self.max_live_claims
    }

    /// The most open (pending or claimed) sessions one student may have.
    pub fn max_open_sessions(&self) -> u32 {
        self.max_open_sessions
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

    /// The start of the dedup window for a booking at `now`: `now - dedup_window`. A previous
    /// session for the same student and submission scheduled strictly after it is recent (see
    /// [`is_within_dedup_window`]); one scheduled exactly at it is not.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use sensei_core::Policy;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    /// assert_eq!(Policy::default().dedup_window_start(now), now - Duration::hours(1));
    /// ```
    pub fn dedup_window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_signed(self.dedup_window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// The deduplication rule, for adapters implementing
/// [`crate::ports::ScheduledSessionRepository::create_unless_recent`]: a session scheduled at
/// `scheduled_at` is recent (a new booking is its duplicate) when it was scheduled strictly
/// after `window_start`. With the default one-hour window, a session 59 min 59 s old is recent
/// and one exactly 60 min old is not.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use sensei_core::{is_within_dedup_window, Policy};
/// let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
/// let start = Policy::default().dedup_window_start(now);
/// assert!(is_within_dedup_window(now - Duration::seconds(3599), start));
/// assert!(!is_within_dedup_window(now - Duration::hours(1), start));
/// ```
pub fn is_within_dedup_window(scheduled_at: DateTime<Utc>, window_start: DateTime<Utc>) -> bool {
    scheduled_at > window_start
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 15, 2).unwrap()
    }

    #[test]
    fn the_default_policy_needs_full_engagement_and_deduplicates_for_one_hour() {
        let policy = Policy::default();
        assert_eq!(policy.engagement_threshold_percent(), 100);
        assert_eq!(policy.dedup_window(), Duration::hours(1));
        assert_eq!(policy.claim_time(), Duration::minutes(30));
        assert_eq!(policy.max_live_claims(), 4);
        assert_eq!(policy.max_open_sessions(), 3);
    }

    #[test]
    fn workflow_limits_are_checked() {
        let policy = Policy::default();
        assert!(policy.with_claim_time(Duration::minutes(1)).is_ok());
        assert_eq!(
            policy.with_claim_time(Duration::seconds(59)),
            Err(PolicyError::ClaimTime(59))
        );
        assert_eq!(
            policy.with_max_live_claims(0),
            Err(PolicyError::ClaimLimit(0))
        );
        assert_eq!(
            policy.with_max_open_sessions(101),
            Err(PolicyError::OpenSessionLimit(101))
        );
        assert_eq!(
            policy
                .with_max_open_sessions(5)
                .unwrap()
                .max_open_sessions(),
            5
        );
    }

    #[test]
    fn a_threshold_from_1_to_100_percent_is_accepted() {
        for threshold in [1, 50, 100] {
            let policy = Policy::new(threshold, Duration::minutes(30)).unwrap();
            assert_eq!(policy.engagement_threshold_percent(), threshold);
            assert_eq!(policy.dedup_window(), Duration::minutes(30));
        }
    }

    #[test]
    fn a_threshold_of_0_or_above_100_percent_is_refused() {
        assert_eq!(
            Policy::new(0, Duration::hours(1)),
            Err(PolicyError::Threshold(0))
        );
        assert_eq!(
            Policy::new(101, Duration::hours(1)),
            Err(PolicyError::Threshold(101))
        );
    }

    #[test]
    fn a_window_from_1_second_to_7_days_is_accepted() {
        assert!(Policy::new(100, Duration::seconds(1)).is_ok());
        assert!(Policy::new(100, Duration::days(7)).is_ok());
    }

    #[test]
    fn an_empty_negative_or_longer_than_a_week_window_is_refused() {
        assert_eq!(
            Policy::new(100, Duration::zero()),
            Err(PolicyError::Window(0))
        );
        assert_eq!(
            Policy::new(100, Duration::seconds(-5)),
            Err(PolicyError::Window(-5))
        );
        assert_eq!(
            Policy::new(100, Duration::days(7) + Duration::seconds(1)),
            Err(PolicyError::Window(604_801))
        );
        assert!(Policy::new(100, Duration::milliseconds(999)).is_err());
    }

    #[test]
    fn policy_errors_say_what_is_allowed() {
        assert_eq!(
            PolicyError::Threshold(0).to_string(),
            "engagement threshold must be between 1 and 100 percent, got 0"
        );
        assert!(PolicyError::Window(0)
            .to_string()
            .contains("between 1 second and 7 days"));
    }

    #[test]
    fn the_window_starts_one_window_before_now() {
        let policy = Policy::new(100, Duration::minutes(10)).unwrap();
        assert_eq!(
            policy.dedup_window_start(now()),
            now() - Duration::minutes(10)
        );
    }

    #[test]
    fn the_window_start_saturates_instead_of_overflowing() {
        let start = Policy::default().dedup_window_start(DateTime::<Utc>::MIN_UTC);
        assert_eq!(start, DateTime::<Utc>::MIN_UTC);
    }

    #[test]
    fn a_session_59_minutes_59_seconds_old_is_within_the_window() {
        let start = Policy::default().dedup_window_start(now());
        assert!(is_within_dedup_window(
            now() - Duration::minutes(59) - Duration::seconds(59),
            start
        ));
        assert!(is_within_dedup_window(now(), start));
    }

    #[test]
    fn a_session_exactly_60_minutes_old_is_not_within_the_window() {
        let start = Policy::default().dedup_window_start(now());
        assert!(!is_within_dedup_window(
            now() - Duration::minutes(60),
            start
        ));
        assert!(!is_within_dedup_window(now() - Duration::hours(2), start));
    }
}
