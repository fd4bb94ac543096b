//! When a failed webhook delivery is tried again: exponential backoff with jitter, for at
//! least a day, then given up.

use chrono::{DateTime, Duration, Utc};

use super::webhooks::NextStep;

/// The retry schedule. The n-th failure (1-based) waits `base · 2^(n-1)`, at most `cap`, with
/// ±`jitter` of it drawn at random, so that many deliveries failing together do not return
/// together. A failure at or after `give_up_after` since the delivery was created gives up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the first failure.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// How long after its creation a delivery is still retried.
    pub give_up_after: Duration,
    /// The share of the wait drawn at random either way (0.2 = ±20 %), between 0 and 1.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// 10 s, doubling, at most 1 h, ±20 %, for 24 h.
    fn default() -> Self {
        Self {
            base: Duration::seconds(10),
            cap: Duration::hours(1),
            give_up_after: Duration::hours(24),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The schedule with another first wait (tests, `--webhook-retry-base-ms`).
    pub fn with_base(self, base: Duration) -> Self {
        Self { base, ..self }
    }

    /// The wait after the `failures`-th failure (1-based), before jitter.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        let factor = 1_i32 << doublings;
        self.base
            .checked_mul(factor)
            .map_or(self.cap, |wait| wait.min(self.cap))
    }

    /// What follows the `failures`-th failure of a delivery created at `created_at`, failed at
    /// `failed_at`; `unit` is a random number in `[-1, 1]` (clamped) that picks the jitter.
    pub fn after_failure(
        &self,
        failures: u32,
        created_at: DateTime<Utc>,
        failed_at: DateTime<Utc>,
        unit: f64,
    ) -> NextStep {
        if failed_at - created_at >= self.give_up_after {
            return NextStep::GaveUp;
        }
        let wait = self.backoff(failures);
        let spread = self.jitter.clamp(0.0, 1.0) * unit.clamp(-1.0, 1.0);
        // Microsecond arithmetic in f64: waits are at most hours, far inside its precision.
        let micros = wait.num_microseconds().unwrap_or(i64::MAX) as f64;
        let jittered = Duration::microseconds((micros * (1.0 + spread)).round() as i64);
        NextStep::RetryAt(failed_at + jittered.max(Duration::zero()))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
    }

    #[test]
    fn the_wait_doubles_from_ten_seconds_up_to_an_hour() {
        let policy = RetryPolicy::default();
        let waits: Vec<i64> = (1..=11).map(|n| policy.backoff(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(policy.backoff(u32::MAX), Duration::hours(1));
    }

    #[test]
    fn jitter_moves_the_retry_by_at_most_a_fifth_either_way() {
        let policy = RetryPolicy::default();
        let next = |unit| policy.after_failure(3, at(), at(), unit);
        assert_eq!(next(0.0), NextStep::RetryAt(at() + Duration::seconds(40)));
        assert_eq!(next(1.0), NextStep::RetryAt(at() + Duration::seconds(48)));
        assert_eq!(next(-1.0), NextStep::RetryAt(at() + Duration::seconds(32)));
        assert_eq!(next(7.0), next(1.0), "out-of-range draws are clamped");
    }

    #[test]
    fn a_delivery_is_retried_for_a_day_then_given_up() {
        let policy = RetryPolicy::default();
        let almost = at() + Duration::hours(24) - Duration::seconds(1);
        assert_eq!(
            policy.after_failure(30, at(), almost, 0.0),
            NextStep::RetryAt(almost + Duration::hours(1))
        );
        assert_eq!(
            policy.after_failure(31, at(), at() + Duration::hours(24), 0.0),
            NextStep::GaveUp
        );
    }

    #[test]
    fn the_schedule_makes_thirty_three_attempts_over_the_first_day() {
        let policy = RetryPolicy::default();
        let (mut now, mut failures) = (at(), 0);
        loop {
            failures += 1;
            match policy.after_failure(failures, at(), now, 0.0) {
                NextStep::RetryAt(next) => now = next,
                _ => break,
            }
        }
        assert_eq!(failures, 33);
        assert!(now - at() >= Duration::hours(24));
    }

    #[test]
    fn the_base_can_be_shortened_for_tests() {
        let policy = RetryPolicy::default().with_base(Duration::milliseconds(100));
        assert_eq!(policy.backoff(1), Duration::milliseconds(100));
        assert_eq!(policy.backoff(4), Duration::milliseconds(800));
    }
}
