//! What the wait estimate learns from history, in one sweep over the queue's changes: the
//! claim rate per hour-of-week bucket while instructors were saturated, and the typical wait of
//! sessions booked into an empty queue. Private to [`super::wait_estimate`].

use super::wait_history::WaitHistoryEntry;

/// Hour of day x (weekday, weekend).
pub(crate) const BUCKETS: usize = 48;

const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_DAY: i64 = 86_400;

/// Queue length from which instructors count as saturated: with two or more waiting, nobody is
/// idle, so claims then come at the rate instructors free up. (Claims of a session booked into
/// an empty queue while an instructor is idle are instant and would inflate the rate.)
const SATURATED: i64 = 2;

/// Places near the front of the line whose waits are read from similar bookings (booked at
/// the same place in the same hour of the week) rather than from the claim rate: there a
/// single handling time decides, and the rate's smooth average says little.
pub(crate) const NEAR_FRONT_PLACES: usize = 1;

/// Similar bookings a place and bucket need before their typical wait stands for it.
pub(crate) const MIN_SIMILAR_BOOKINGS: usize = 5;

/// Saturated minutes a bucket needs to speak for itself: one observed for less is topped up
/// to this much evidence with the overall rate (an hour seen for five minutes does not decide
/// alone).
const BUCKET_EVIDENCE_MINUTES: f64 = 60.0;

/// With less saturated time than this in the whole window the saturated rate means nothing;
/// the rate while the queue was non-empty stands in.
const MIN_SATURATED_MINUTES: f64 = 120.0;

/// The learnt figures the estimate is made from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Learnt {
    /// Expected first claims per minute, per bucket.
    pub rates: [f64; BUCKETS],
    /// Per place near the front (index 0 for the first in line) and bucket, the most typical
    /// wait in minutes of sessions booked at that place in that bucket (`None` with fewer than
    /// [`MIN_SIMILAR_BOOKINGS`] of them).
    pub near_front: Vec<[Option<f64>; BUCKETS]>,
}

/// The sums one sweep collects.
pub(crate) struct Sweep {
    /// First claims in the window up to `now`.
    pub first_claims: u64,
    /// The earliest booking in the window (`now` when none).
    pub earliest: i64,
    saturated_claims: [u64; BUCKETS],
    saturated_minutes: [f64; BUCKETS],
    claims: [u64; BUCKETS],
    non_empty_minutes: [f64; BUCKETS],
    /// Per place near the front and bucket, the waits of sessions booked there.
    near_front_waits: Vec<Vec<Vec<i64>>>,
}

/// A change of the queue; departures sort before arrivals at the same second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Claim,
    Cancel,
    /// A booking, with its wait in seconds when it was claimed by `now`.
    Arrive(Option<i64>),
}

impl Sweep {
    /// Rebuilds the queue from the sessions booked in `[since, now)` as they stood at `now`.
    pub fn of(entries: &[WaitHistoryEntry], since: i64, now: i64) -> Sweep {
        let mut changes: Vec<(i64, Change)> = Vec::with_capacity(entries.len() * 2);
        let mut sweep = Sweep {
            first_claims: 0,
            earliest: now,
            saturated_claims: [0; BUCKETS],
            saturated_minutes: [0.0; BUCKETS],
            claims: [0; BUCKETS],
            non_empty_minutes: [0.0; BUCKETS],
            near_front_waits: vec![vec![Vec::new(); BUCKETS]; NEAR_FRONT_PLACES],
        };
        for entry in entries {
            let booked = entry.booked_at.timestamp();
            if booked < since || booked >= now {
                continue;
            }
            sweep.earliest = sweep.earliest.min(booked);
            // Only what had happened by `now` (and never before the booking).
            let seen = |at: Option<chrono::DateTime<chrono::Utc>>| {
                at.map(|at| at.timestamp().max(booked))
                    .filter(|at| *at < now)
            };
            let (claimed, closed) = (
                seen(entry.first_claimed_at),
                seen(entry.closed_unclaimed_at),
            );
            changes.push((booked, Change::Arrive(claimed.map(|at| at - booked))));
            match (claimed, closed) {
                (Some(claim), Some(close)) if close < claim => {
                    changes.push((close, Change::Cancel))
                }
                (Some(claim), _) => {
                    sweep.first_claims += 1;
                    changes.push((claim, Change::Claim));
                }
                (None, Some(close)) => changes.push((close, Change::Cancel)),
                (None, None) => {}
            }
        }
        changes.sort_unstable();
        let mut length = 0i64;
        let mut from = changes.first().map_or(now, |change| change.0);
        for &(at, change) in &changes {
            sweep.add_time(length, from, at);
            from = at;
            match change {
                Change::Claim => {
                    sweep.claims[bucket_of(at)] += 1;
                    if length >= SATURATED {
                        sweep.saturated_claims[bucket_of(at)] += 1;
                    }
                    length -= 1;
                }
                Change::Cancel => length -= 1,
                Change::Arrive(wait) => {
                    let place = usize::try_from(length).unwrap_or(usize::MAX);
                    if let (Some(waits), Some(wait)) = (sweep.near_front_waits.get_mut(place), wait)
                    {
                        waits[bucket_of(at)].push(wait);
                    }
                    length += 1;
                }
            }
        }
        sweep.add_time(length, from, now);
        sweep
    }

    /// Counts `[from, to)` as non-empty and, from [`SATURATED`] on, saturated time.
    fn add_time(&mut self, length: i64, from: i64, to: i64) {
        if length >= 1 {
            add_span(&mut self.non_empty_minutes, from, to);
        }
        if length >= SATURATED {
            add_span(&mut self.saturated_minutes, from, to);
        }
    }

    /// The rates and first-in-line waits.
    pub fn learnt(self) -> Learnt {
        let saturated: f64 = self.saturated_minutes.iter().sum();
        let (claims, minutes) = if saturated >= MIN_SATURATED_MINUTES {
            (&self.saturated_claims, &self.saturated_minutes)
        } else {
            (&self.claims, &self.non_empty_minutes)
        };
        let total_minutes: f64 = minutes.iter().sum();
        let overall = claims.iter().sum::<u64>() as f64 / total_minutes.max(1.0);
        let mut rates = [0.0; BUCKETS];
        for (rate, (count, minutes)) in rates.iter_mut().zip(claims.iter().zip(minutes.iter())) {
            *rate = bucket_rate(*count, *minutes, overall);
        }
        let near_front = self
            .near_front_waits
            .iter()
            .map(|buckets| {
                let mut typical = [None; BUCKETS];
                for (slot, waits) in typical.iter_mut().zip(buckets) {
                    if waits.len() >= MIN_SIMILAR_BOOKINGS {
                        *slot = Some(most_typical(waits));
                    }
                }
                typical
            })
            .collect();
        Learnt { rates, near_front }
    }
}

/// How far off an estimate may be, either way, and still count as right: the factor the
/// back-test holds the estimate to.
pub(crate) const TOLERANCE: f64 = 1.5;

/// The wait (minutes) that is within [`TOLERANCE`] of the most of `waits` (seconds; under a
/// minute counts as a minute). Waits of the first in line are bimodal (an idle instructor
/// claims at once, a busy one after a handling time), so a median can fall between the two
/// groups and be right for neither.
fn most_typical(waits: &[i64]) -> f64 {
    let mut minutes: Vec<f64> = waits.iter().map(|w| (*w as f64 / 60.0).max(1.0)).collect();
    minutes.sort_unstable_by(f64::total_cmp);
    let span = TOLERANCE * TOLERANCE;
    let (mut best, mut best_count, mut end) = (1.0, 0, 0);
    for (start, low) in minutes.iter().enumerate() {
        end = end.max(start);
        while end < minutes.len() && minutes[end] <= low * span {
            end += 1;
        }
        if end - start > best_count {
            // The geometric middle of the waits covered: within the tolerance of all of them,
            // and it stays so after rounding to whole minutes more often than the window's.
            let high = minutes[end - 1];
            (best, best_count) = ((low * high).sqrt(), end - start);
        }
    }
    best
}

/// Claims per minute of one bucket, topped up with the `overall` rate to
/// [`BUCKET_EVIDENCE_MINUTES`] of evidence when the bucket saw less.
fn bucket_rate(claims: u64, minutes: f64, overall: f64) -> f64 {
    if minutes >= BUCKET_EVIDENCE_MINUTES {
        claims as f64 / minutes
    } else {
        (claims as f64 + (BUCKET_EVIDENCE_MINUTES - minutes) * overall) / BUCKET_EVIDENCE_MINUTES
    }
}

/// The hour-of-week bucket of a Unix timestamp: hour of day, plus 24 on Saturday and Sunday.
pub(crate) fn bucket_of(timestamp: i64) -> usize {
    let day = timestamp.div_euclid(SECONDS_PER_DAY);
    let hour = timestamp.rem_euclid(SECONDS_PER_DAY) / SECONDS_PER_HOUR;
    // 1970-01-01 was a Thursday: day 0 is weekday index 3 with Monday as 0.
    let weekend = (day + 3).rem_euclid(7) >= 5;
    hour as usize + if weekend { 24 } else { 0 }
}

/// Adds the interval `[from, to)` to the buckets it crosses, split at hour boundaries.
fn add_span(minutes: &mut [f64; BUCKETS], mut from: i64, to: i64) {
    while from < to {
        let next_hour = (from.div_euclid(SECONDS_PER_HOUR) + 1) * SECONDS_PER_HOUR;
        let end = next_hour.min(to);
        minutes[bucket_of(from)] += (end - from) as f64 / 60.0;
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_with_an_hour_of_evidence_speaks_for_itself() {
        assert_eq!(bucket_rate(6, 60.0, 1.0), 0.1);
        assert_eq!(bucket_rate(30, 600.0, 1.0), 0.05);
    }

    #[test]
    fn a_bucket_seen_for_less_than_an_hour_is_topped_up_with_the_overall_rate() {
        // 15 minutes with 3 claims, plus 45 minutes at the overall 0.1: 7.5 claims an hour.
        assert_eq!(bucket_rate(3, 15.0, 0.1), 7.5 / 60.0);
        // Never seen: the overall rate.
        assert_eq!(bucket_rate(0, 0.0, 0.1), 0.1);
    }

    #[test]
    fn the_most_typical_wait_is_the_middle_of_the_largest_group_within_the_tolerance() {
        // Three around 2 minutes, two around 20: the first group wins.
        let waits = [100, 120, 150, 1_150, 1_250];
        let typical = most_typical(&waits);
        assert!((typical - (100.0_f64 / 60.0 * 2.5).sqrt()).abs() < 1e-9);
        // Waits under a minute count as a minute.
        assert_eq!(most_typical(&[0, 5, 30]), 1.0);
    }

    #[test]
    fn buckets_are_hours_of_the_day_plus_24_at_weekends() {
        // 2026-11-30 was a Monday; 2026-12-05 a Saturday.
        let monday = 1_795_996_800;
        assert_eq!(bucket_of(monday), 0);
        assert_eq!(bucket_of(monday + 13 * SECONDS_PER_HOUR + 59), 13);
        assert_eq!(
            bucket_of(monday + 5 * SECONDS_PER_DAY + SECONDS_PER_HOUR),
            25
        );
        assert_eq!(bucket_of(monday - 1), 47);
    }
}
