//! The estimated wait a student sees beside their place in line: how long until an instructor
//! first claims the session at position `k`, estimated from the last [`WAIT_HISTORY_DAYS`] days.
//!
//! The method (documented for users in `docs/wait-estimate.md`):
//! 1. From the history, rebuild how many sessions were pending at every instant (a session is
//!    pending from its booking until its first claim or its cancellation before any claim).
//! 2. Per hour-of-week bucket (hour of day x weekday/weekend, UTC): the claim rate while
//!    instructors were saturated (two or more waiting: nobody idle), topped up with the overall
//!    rate when the bucket saw less than an hour of that; and the most typical wait of the
//!    sessions booked into an empty queue there. Hours when nobody works have a queue and no
//!    claims, hence a rate of zero: night and weekend gaps appear in the estimate by themselves.
//! 3. First in line: that typical wait, when at least five such bookings were seen in the
//!    bucket. Further back (or without them): integrate the rates forward, hour by hour, until
//!    the expected claims reach `k - CALIBRATION`. Beyond [`WAIT_HORIZON_DAYS`], or with fewer
//!    than [`MIN_FIRST_CLAIMS`] first claims in the window, there is no estimate.
//!
//! Everything is pure and deterministic: building is one sort and one sweep over the entries,
//! and a query walks at most `24 x WAIT_HORIZON_DAYS` hour buckets (it runs on page loads).

use chrono::{DateTime, Duration, Utc};

pub use super::wait_history::WaitHistoryEntry;
use super::wait_learning::{bucket_of, Learnt, Sweep, BUCKETS};

/// How many days of history the estimate is made from (and the basis it quotes).
pub const WAIT_HISTORY_DAYS: i64 = 14;

/// Fewer first claims than this in the window: too little history to say anything.
pub const MIN_FIRST_CLAIMS: u64 = 20;

/// How far ahead the estimate looks; a wait longer than this is "no estimate yet".
pub const WAIT_HORIZON_DAYS: i64 = 7;

/// Position `k` is estimated as the time until `k - CALIBRATION` expected claims: the waits of
/// a claim process are skewed right, and aiming slightly before the mean hits the
/// multiplicative band around the actual wait more often (tuned by the back-test).
const CALIBRATION: f64 = 0.5;

const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_DAY: i64 = 86_400;

/// The estimated wait of one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEstimate {
    /// About `minutes` minutes, estimated from the last `basis_days` days.
    About {
        /// The estimated wait in whole minutes (at least 1).
        minutes: u32,
        /// How many days of history the estimate comes from (at most [`WAIT_HISTORY_DAYS`]).
        basis_days: u32,
    },
    /// Too little history (or a wait beyond the horizon) to say anything honest.
    NotYet,
}

impl WaitEstimate {
    /// The text students read: "about 25 min (from the last 14 days)",
    /// "about 3 h 10 min (from the last 14 days)", "no estimate yet". Waits of an hour or more
    /// are rounded to 5 minutes: more digits would promise a precision the estimate lacks.
    pub fn describe(&self) -> String {
        match *self {
            WaitEstimate::NotYet => "no estimate yet".to_owned(),
            WaitEstimate::About {
                minutes,
                basis_days,
            } => {
                let basis = if basis_days == 1 {
                    "from the last day".to_owned()
                } else {
                    format!("from the last {basis_days} days")
                };
                format!("about {} ({basis})", duration_text(minutes))
            }
        }
    }

    /// The estimated minutes, when there is an estimate.
    pub fn minutes(&self) -> Option<u32> {
        match *self {
            WaitEstimate::About { minutes, .. } => Some(minutes),
            WaitEstimate::NotYet => None,
        }
    }
}

fn duration_text(minutes: u32) -> String {
    if minutes < 60 {
        return format!("{minutes} min");
    }
    let rounded = (minutes + 2) / 5 * 5;
    match (rounded / 60, rounded % 60) {
        (hours, 0) => format!("{hours} h"),
        (hours, rest) => format!("{hours} h {rest} min"),
    }
}

/// The window of history a model built at `now` reads: `[now - WAIT_HISTORY_DAYS, now)`.
pub fn wait_history_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - Duration::days(WAIT_HISTORY_DAYS), now)
}

/// What the estimate learnt from recent history; cheap to query.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitModel {
    /// `None` when the history is too thin to estimate.
    learnt: Option<Learnt>,
    /// Days of history the model comes from.
    basis_days: u32,
}

impl WaitModel {
    /// Learns from `entries` as they stood at `now`: only sessions booked in
    /// [`wait_history_window`]`(now)` count, and claims or cancellations after `now` are
    /// treated as not (yet) happened, so a model never sees the future.
    pub fn from_history(entries: &[WaitHistoryEntry], now: DateTime<Utc>) -> WaitModel {
        let (since, _) = wait_history_window(now);
        let sweep = Sweep::of(entries, since.timestamp(), now.timestamp());
        let basis_days = basis_days(now.timestamp() - sweep.earliest);
        let learnt = (sweep.first_claims >= MIN_FIRST_CLAIMS).then(|| sweep.learnt());
        WaitModel { learnt, basis_days }
    }

    /// The estimated wait, from instant `at`, of the session at 1-based `position` (0 is read
    /// as 1). Near the front: the typical wait of sessions booked at the same place in the same
    /// hour of the week, when enough were; otherwise, and further back, the time until the
    /// expected claims at the saturated rate reach it.
    pub fn estimate(&self, position: u32, at: DateTime<Utc>) -> WaitEstimate {
        let Some(learnt) = &self.learnt else {
            return WaitEstimate::NotYet;
        };
        let about = |minutes: f64| WaitEstimate::About {
            minutes: (minutes.round() as u32).max(1),
            basis_days: self.basis_days,
        };
        let clock = at.timestamp();
        let place = position.max(1) as usize - 1;
        if let Some(minutes) = learnt
            .near_front
            .get(place)
            .and_then(|typical| typical[bucket_of(clock)])
        {
            return about(minutes);
        }
        let target = f64::from(position.max(1)) - CALIBRATION;
        match minutes_until(&learnt.rates, clock, target) {
            Some(minutes) => about(minutes),
            None => WaitEstimate::NotYet,
        }
    }

    /// Days of history the model was built from (at most [`WAIT_HISTORY_DAYS`]).
    pub fn basis_days(&self) -> u32 {
        self.basis_days
    }
}

/// Minutes from `clock` until the rates, integrated hour by hour, expect `target` claims;
/// `None` beyond the horizon.
fn minutes_until(rates: &[f64; BUCKETS], mut clock: i64, target: f64) -> Option<f64> {
    let horizon = (WAIT_HORIZON_DAYS * SECONDS_PER_DAY) as f64 / 60.0;
    let mut expected = 0.0;
    let mut elapsed = 0.0;
    while elapsed < horizon {
        let next_hour = (clock.div_euclid(SECONDS_PER_HOUR) + 1) * SECONDS_PER_HOUR;
        let span = (next_hour - clock) as f64 / 60.0;
        let rate = rates[bucket_of(clock)];
        if rate > 0.0 && expected + rate * span >= target {
            let minutes = elapsed + (target - expected) / rate;
            return (minutes <= horizon).then_some(minutes);
        }
        expected += rate * span;
        elapsed += span;
        clock = next_hour;
    }
    None
}

/// Whole days covered by `seconds` of history, rounded up, between 1 and the window.
fn basis_days(seconds: i64) -> u32 {
    let days = (seconds + SECONDS_PER_DAY - 1).div_euclid(SECONDS_PER_DAY);
    days.clamp(1, WAIT_HISTORY_DAYS) as u32
}

#[cfg(test)]
#[path = "wait_estimate_tests.rs"]
mod tests;
