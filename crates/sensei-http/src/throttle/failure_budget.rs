//! A budget of failures per key (a token bucket per key): each key holds up to `burst`
//! credits and earns them back at a steady rate. A caller *takes* a credit before the
//! expensive work (hashing a password), so simultaneous attempts cannot all slip through, and
//! *gives it back* when the attempt turned out not to be a failure. Keys at full credit are
//! forgotten, so memory follows the keys that failed recently, not every key ever seen.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys remembered before the ones back at full credit are forgotten.
const PRUNE_ABOVE_KEYS: usize = 10_000;

/// One key's credit, as of `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    credit: f64,
    at: Instant,
}

/// Failures allowed per key: `burst` at once, earned back at `burst` per `period`.
#[derive(Debug)]
pub struct FailureBudget<K> {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> FailureBudget<K> {
    /// `burst` failures at once, earned back evenly over `period` (a per-minute limit is
    /// `new(n, 60 s)`).
    pub fn new(burst: NonZeroU32, period: Duration) -> Self {
        let burst = f64::from(burst.get());
        Self {
            burst,
            per_second: burst / period.as_secs_f64().max(0.001),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn credit_at(&self, bucket: Bucket, now: Instant) -> f64 {
        let earned = now.saturating_duration_since(bucket.at).as_secs_f64() * self.per_second;
        (bucket.credit + earned).min(self.burst)
    }

    /// How long until `credit` reaches one whole credit.
    fn wait_for_one(&self, credit: f64) -> Duration {
        Duration::from_secs_f64(((1.0 - credit).max(0.0) / self.per_second).min(86_400.0))
    }

    /// Whether `key` has a credit left now, without taking it: `Err(wait)` when it has none.
    ///
    /// # Errors
    /// The time until a credit is earned back.
    pub fn peek(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let buckets = self.lock();
        match buckets.get(key) {
            Some(bucket) => {
                let credit = self.credit_at(*bucket, now);
                if credit >= 1.0 {
                    Ok(())
                } else {
                    Err(self.wait_for_one(credit))
                }
            }
            None => Ok(()),
        }
    }

    /// Takes one credit from `key`.
    ///
    /// # Errors
    /// The time until a credit is earned back, when `key` has none (nothing is taken).
    pub fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.lock();
        if buckets.len() > PRUNE_ABOVE_KEYS {
            let burst = self.burst;
            buckets.retain(|_, bucket| self.credit_at(*bucket, now) < burst);
        }
        let credit = buckets
            .get(key)
            .map_or(self.burst, |bucket| self.credit_at(*bucket, now));
        if credit < 1.0 {
            return Err(self.wait_for_one(credit));
        }
        buckets.insert(
            key.clone(),
            Bucket {
                credit: credit - 1.0,
                at: now,
            },
        );
        Ok(())
    }

    /// Gives one credit back to `key` (an attempt that was not a failure after all).
    pub fn give_back(&self, key: &K, now: Instant) {
        let mut buckets = self.lock();
        let Some(bucket) = buckets.get(key).copied() else {
            return;
        };
        let credit = (self.credit_at(bucket, now) + 1.0).min(self.burst);
        if credit >= self.burst {
            buckets.remove(key);
        } else {
            buckets.insert(key.clone(), Bucket { credit, at: now });
        }
    }

    /// Keys remembered now (those below full credit, and some not yet pruned).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Bucket>> {
        // A panic while holding the lock cannot leave a bucket half-written (each update is
        // one insert), so a poisoned map is still consistent.
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(burst: u32) -> FailureBudget<&'static str> {
        FailureBudget::new(NonZeroU32::new(burst).unwrap(), Duration::from_secs(60))
    }

    #[test]
    fn a_key_may_fail_its_burst_then_waits_for_credit() {
        let budget = budget(3);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(budget.take(&"a", now).is_ok());
        }
        let wait = budget.take(&"a", now).unwrap_err();
        // One credit every 20 s at 3 a minute.
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        assert!(budget.peek(&"a", now).is_err());
        assert!(
            budget.take(&"b", now).is_ok(),
            "other keys are not affected"
        );
        let later = now + Duration::from_secs(20);
        assert!(budget.peek(&"a", later).is_ok());
        assert!(budget.take(&"a", later).is_ok());
        assert!(budget.take(&"a", later).is_err());
    }

    #[test]
    fn credit_given_back_is_not_spent() {
        let budget = budget(2);
        let now = Instant::now();
        for _ in 0..100 {
            budget.take(&"a", now).unwrap();
            budget.give_back(&"a", now);
        }
        assert!(budget.is_empty(), "a key back at full credit is forgotten");
        budget.take(&"a", now).unwrap();
        budget.take(&"a", now).unwrap();
        assert!(budget.take(&"a", now).is_err());
    }

    #[test]
    fn credit_never_exceeds_the_burst() {
        let budget = budget(2);
        let now = Instant::now();
        budget.take(&"a", now).unwrap();
        budget.give_back(&"a", now);
        budget.give_back(&"a", now);
        budget.give_back(&"unknown", now);
        let later = now + Duration::from_secs(3600);
        budget.take(&"a", later).unwrap();
        budget.take(&"a", later).unwrap();
        assert!(budget.take(&"a", later).is_err());
    }

    #[test]
    fn keys_back_at_full_credit_are_pruned_when_many() {
        let budget: FailureBudget<u32> =
            FailureBudget::new(NonZeroU32::new(1).unwrap(), Duration::from_secs(1));
        let now = Instant::now();
        for key in 0..=u32::try_from(PRUNE_ABOVE_KEYS).unwrap() {
            budget.take(&key, now).unwrap();
        }
        assert!(budget.len() > PRUNE_ABOVE_KEYS);
        budget
            .take(&u32::MAX, now + Duration::from_secs(2))
            .unwrap();
        assert_eq!(budget.len(), 1);
    }
}
