//! Sign-in limits that stop guessing, not classes (NIST SP 800-63B 5.2.2): only *failed*
//! sign-ins spend credit, per account and per client address. The credit is taken before the
//! password is checked (so simultaneous guesses cannot all slip through while the first ones
//! are being hashed) and given back when the password was right, so a lab of sixty students
//! signing in from one school address all get in, while forty guesses at one account meet
//! 429 with `Retry-After`, and a key without credit is refused before anything is hashed.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use sensei_core::normalize_email;

pub mod failure_budget;

use crate::error::AppError;
use failure_budget::FailureBudget;

/// Failed sign-ins allowed per minute, per account and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failed sign-ins per minute for one account (email), from anywhere.
    pub per_account_per_minute: NonZeroU32,
    /// Failed sign-ins per minute from one client address (an IPv6 client's /64), for any
    /// accounts.
    pub per_address_per_minute: NonZeroU32,
}

impl Default for SignInLimits {
    /// 20 failures a minute per account and 100 per address. A sign-in holds its credit
    /// until its password is checked, so each number must exceed the sign-ins of one key that
    /// can be in flight at once: a teacher opening a dozen tabs, a lab of sixty behind one
    /// school address with forty more mistyping. Twenty is still far too few to guess a
    /// password (one more every three seconds once spent), and correct sign-ins cost nothing,
    /// however many.
    fn default() -> Self {
        Self {
            per_account_per_minute: NonZeroU32::MIN.saturating_add(19),
            per_address_per_minute: NonZeroU32::MIN.saturating_add(99),
        }
    }
}

/// The sign-in failure budgets of one process.
pub struct SignInThrottle {
    per_account: FailureBudget<String>,
    per_address: FailureBudget<IpAddr>,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInThrottle")
    }
}

/// A credit taken for one sign-in attempt. Spent unless [`SignInCredit::give_back`] is called
/// (the attempt was not a failed guess).
#[must_use = "give the credit back when the password was right"]
pub struct SignInCredit<'a> {
    throttle: &'a SignInThrottle,
    account: String,
    address: Option<IpAddr>,
}

impl SignInCredit<'_> {
    /// Gives the credit back to the account and the address.
    pub fn give_back(self) {
        let now = Instant::now();
        if let Some(address) = self.address {
            self.throttle.per_address.give_back(&address, now);
        }
        self.throttle.per_account.give_back(&self.account, now);
    }
}

/// A credit taken from a client address for one `Authorization: Bearer` attempt (a token
/// names no account, so only the address pays). Spent unless given back.
#[must_use = "give the credit back when the token was accepted"]
pub struct AddressCredit<'a> {
    throttle: &'a SignInThrottle,
    address: Option<IpAddr>,
}

impl AddressCredit<'_> {
    /// Gives the credit back to the address.
    pub fn give_back(self) {
        if let Some(address) = self.address {
            self.throttle
                .per_address
                .give_back(&address, Instant::now());
        }
    }
}

/// The key of a client address: IPv4 (also when mapped into IPv6) as is; IPv6 by its /64,
/// which one client usually holds whole.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1_u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

fn refused(wait: Duration) -> AppError {
    AppError::rate_limited(wait.max(Duration::from_secs(1)))
}

impl SignInThrottle {
    /// Budgets with these limits; each key may spend its whole minute's allowance at once.
    pub fn new(limits: SignInLimits) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            per_account: FailureBudget::new(limits.per_account_per_minute, minute),
            per_address: FailureBudget::new(limits.per_address_per_minute, minute),
        }
    }

    /// Whether `address` still has failures to spend, checked before the request's body is
    /// even read (nothing is taken).
    ///
    /// # Errors
    /// A 429 `rate_limited` [`AppError`] with the seconds to wait.
    pub fn check_address(&self, address: Option<IpAddr>) -> Result<(), AppError> {
        match address {
            Some(address) => self
                .per_address
                .peek(&address_key(address), Instant::now())
                .map_err(refused),
            None => Ok(()),
        }
    }

    /// Takes a credit from `address` for one bearer-token attempt, before the token is looked
    /// up: wrong tokens spend the same budget as wrong passwords, so guessing tokens meets
    /// 429 as guessing passwords does.
    ///
    /// # Errors
    /// A 429 `rate_limited` [`AppError`] with the seconds to wait.
    pub fn take_address(&self, address: Option<IpAddr>) -> Result<AddressCredit<'_>, AppError> {
        let address = address.map(address_key);
        if let Some(address) = address {
            self.per_address
                .take(&address, Instant::now())
                .map_err(refused)?;
        }
        Ok(AddressCredit {
            throttle: self,
            address,
        })
    }

    /// Takes a credit for one attempt on `email` from `address` (unknown on some transports),
    /// before the password is checked.
    ///
    /// # Errors
    /// A 429 `rate_limited` [`AppError`] with the seconds to wait, when the address or the
    /// account has no failures left (an account without credit still spends the address's).
    pub fn take(&self, email: &str, address: Option<IpAddr>) -> Result<SignInCredit<'_>, AppError> {
        let now = Instant::now();
        let address = address.map(address_key);
        if let Some(address) = address {
            self.per_address.take(&address, now).map_err(refused)?;
        }
        let account = normalize_email(email);
        // A guess at an account that has no credit left is still a failed attempt from this
        // address: it keeps the address's credit spent, so a client hammering one account
        // soon meets 429 before its requests are even read (see `sign_in_gate`).
        self.per_account.take(&account, now).map_err(refused)?;
        Ok(SignInCredit {
            throttle: self,
            account,
            address,
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

    fn fail(throttle: &SignInThrottle, email: &str, address: &str) -> Result<(), AppError> {
        throttle
            .take(email, Some(address.parse().unwrap()))
            .map(drop)
    }

    #[test]
    fn correct_sign_ins_cost_nothing_however_many() {
        let throttle = SignInThrottle::new(SignInLimits::default());
        let school: IpAddr = "203.0.113.9".parse().unwrap();
        for student in 0..200 {
            let credit = throttle
                .take(
                    &format!("student{}@example.com", student % 60),
                    Some(school),
                )
                .unwrap();
            credit.give_back();
        }
        for _ in 0..12 {
            throttle
                .take("sensei@example.com", Some(school))
                .unwrap()
                .give_back();
        }
        assert!(throttle.check_address(Some(school)).is_ok());
    }

    #[test]
    fn failures_on_an_account_are_limited_whatever_the_letter_case_or_address() {
        let throttle = SignInThrottle::new(limits(2, 100));
        assert!(fail(&throttle, "alice@example.com", "192.0.2.1").is_ok());
        assert!(fail(&throttle, "ALICE@example.com ", "192.0.2.2").is_ok());
        let refused = fail(&throttle, "alice@example.com", "192.0.2.1").unwrap_err();
        assert_eq!(refused.status().as_u16(), 429);
        assert_eq!(refused.code(), "rate_limited");
        assert!(refused.retry_after.is_some_and(|wait| wait >= 1));
        assert!(fail(&throttle, "bob@example.com", "192.0.2.1").is_ok());
    }

    #[test]
    fn guesses_at_a_locked_account_spend_the_address_too() {
        let throttle = SignInThrottle::new(limits(1, 3));
        assert!(fail(&throttle, "a@example.com", "192.0.2.1").is_ok());
        assert!(fail(&throttle, "a@example.com", "192.0.2.1").is_err());
        assert!(fail(&throttle, "a@example.com", "192.0.2.1").is_err());
        let address = Some("192.0.2.1".parse().unwrap());
        assert!(
            throttle.check_address(address).is_err(),
            "refused before the body is read"
        );
        assert!(fail(&throttle, "b@example.com", "192.0.2.1").is_err());
        assert!(fail(&throttle, "b@example.com", "192.0.2.2").is_ok());
    }

    #[test]
    fn failures_from_an_address_are_limited_across_accounts() {
        let throttle = SignInThrottle::new(limits(100, 3));
        for n in 0..3 {
            assert!(fail(&throttle, &format!("user{n}@example.com"), "::1").is_ok());
        }
        assert!(throttle
            .check_address(Some("::1".parse().unwrap()))
            .is_err());
        assert!(fail(&throttle, "someone@example.com", "::1").is_err());
        assert!(fail(&throttle, "someone@example.com", "127.0.0.2").is_ok());
    }

    #[test]
    fn bearer_failures_spend_the_addresss_credit_and_successes_give_it_back() {
        let throttle = SignInThrottle::new(limits(100, 2));
        let address = Some("192.0.2.5".parse().unwrap());
        for _ in 0..10 {
            throttle.take_address(address).unwrap().give_back();
        }
        drop(throttle.take_address(address).unwrap());
        drop(throttle.take_address(address).unwrap());
        assert_eq!(
            throttle
                .take_address(address)
                .err()
                .map(|error| error.code()),
            Some("rate_limited")
        );
        // The same budget as sign-ins: the address's password attempts are refused too.
        assert!(throttle.check_address(address).is_err());
        assert!(fail(&throttle, "a@example.com", "192.0.2.5").is_err());
    }

    #[test]
    fn an_ipv6_client_is_one_key_per_64_and_mapped_ipv4_is_ipv4() {
        let throttle = SignInThrottle::new(limits(100, 2));
        assert!(fail(&throttle, "a@example.com", "2001:db8:1:2::1").is_ok());
        assert!(fail(&throttle, "b@example.com", "2001:db8:1:2:ffff::9").is_ok());
        assert!(fail(&throttle, "c@example.com", "2001:db8:1:2::77").is_err());
        assert!(fail(&throttle, "c@example.com", "2001:db8:1:3::77").is_ok());
        assert!(fail(&throttle, "d@example.com", "192.0.2.7").is_ok());
        assert!(fail(&throttle, "e@example.com", "::ffff:192.0.2.7").is_ok());
        assert!(fail(&throttle, "f@example.com", "192.0.2.7").is_err());
    }
}
