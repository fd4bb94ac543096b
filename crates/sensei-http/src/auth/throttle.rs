//! Sign-in rate limits, per account and per client address (GCRA, from `governor`): a flood
//! of guesses gets 429 with `Retry-After` before any password is hashed, so it can neither
//! guess quickly nor exhaust memory.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use sensei_core::normalize_email;

use crate::error::AppError;

/// How many keys a limiter remembers before it forgets the ones that are back to full credit.
const RETAIN_ABOVE_KEYS: usize = 10_000;

/// Attempts allowed per minute, per account and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Attempts per minute for one account (email), from anywhere.
    pub per_account_per_minute: NonZeroU32,
    /// Attempts per minute from one client address, for any accounts.
    pub per_address_per_minute: NonZeroU32,
}

impl Default for SignInLimits {
    /// 10 attempts a minute per account and 30 per address: enough for people who mistype,
    /// far too few to guess passwords.
    fn default() -> Self {
        Self {
            per_account_per_minute: NonZeroU32::MIN.saturating_add(9),
            per_address_per_minute: NonZeroU32::MIN.saturating_add(29),
        }
    }
}

/// The sign-in limiters of one process.
pub struct SignInThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInThrottle")
    }
}

impl SignInThrottle {
    /// Limiters with these limits; each key may spend its whole minute's allowance at once.
    pub fn new(limits: SignInLimits) -> Self {
        Self {
            per_account: DefaultKeyedRateLimiter::keyed(Quota::per_minute(
                limits.per_account_per_minute,
            )),
            per_address: DefaultKeyedRateLimiter::keyed(Quota::per_minute(
                limits.per_address_per_minute,
            )),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one sign-in attempt for `email` from `address` (unknown on some transports).
    ///
    /// # Errors
    /// A 429 `rate_limited` [`AppError`] with the seconds to wait, when either limit is spent.
    pub fn attempt(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(address) = address {
            self.check(&self.per_address, &address)?;
        }
        self.check(&self.per_account, &normalize_email(email))
    }

    fn check<K: Clone + Hash + Eq>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), AppError> {
        if limiter.len() > RETAIN_ABOVE_KEYS {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::rate_limited(wait.max(Duration::from_secs(1)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_account: u32, per_address: u32) -> SignInLimits {
        SignInLimits {
            per_account_per_minute: NonZeroU32::new(per_account).unwrap(),
            per_address_per_minute: NonZeroU32::new(per_address).unwrap(),
        }
    }

    #[test]
    fn an_account_is_limited_whatever_the_letter_case_or_address() {
        let throttle = SignInThrottle::new(limits(2, 100));
        let first: IpAddr = "192.0.2.1".parse().unwrap();
        let second: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(throttle.attempt("alice@example.com", Some(first)).is_ok());
        assert!(throttle.attempt("ALICE@example.com ", Some(second)).is_ok());
        let refused = throttle
            .attempt("alice@example.com", Some(first))
            .unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        assert_eq!(refused.code, "rate_limited");
        assert!(refused.retry_after.is_some_and(|wait| wait >= 1));
        assert!(throttle.attempt("bob@example.com", Some(first)).is_ok());
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let throttle = SignInThrottle::new(limits(100, 3));
        let address: IpAddr = "::1".parse().unwrap();
        for n in 0..3 {
            assert!(throttle
                .attempt(&format!("user{n}@example.com"), Some(address))
                .is_ok());
        }
        assert!(throttle
            .attempt("someone@example.com", Some(address))
            .is_err());
        assert!(throttle
            .attempt("someone@example.com", Some("127.0.0.2".parse().unwrap()))
            .is_ok());
    }
}
