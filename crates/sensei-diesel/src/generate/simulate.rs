//! A simulated queue, for generated history with realistic times: bookings follow the hour of
//! the week, instructors work shifts and each claims the oldest pending session when free
//! (first come, first served), handles it for a log-normal time, and sometimes releases it or
//! lets the claim lapse; some students cancel when the wait outlasts their patience.
//!
//! Pure and seeded (no database): times are Unix seconds, the outcome is the sessions' final
//! states and every event of the audit trail in time order. One pass with binary heaps:
//! O(n log n) for n sessions, fast enough for millions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sensei_core::EventKind;

/// Relative booking intensity by hour of day (UTC) on a weekday: quiet nights, busy
/// afternoons, the peak in the evening after work and school.
const WEEKDAY_BOOKINGS: [f64; 24] = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3, 1.1, 1.2, 1.3, 1.4, 1.4, 1.3, 1.4,
    1.6, 1.7, 1.5, 1.0, 0.6,
];

/// Saturday and Sunday see this share of a weekday's bookings, hour by hour.
const WEEKEND_SHARE: f64 = 0.5;

/// Handling time: log-normal with this median (minutes) and log-spread.
const HANDLING_MEDIAN_MINUTES: f64 = 15.0;
const HANDLING_SIGMA: f64 = 0.5;

/// Minutes between one session and the instructor's next claim (notes, a breath).
const GAP_MINUTES: std::ops::RangeInclusive<i64> = 1..=3;

/// How long an idle instructor takes to notice a new request (seconds).
const REACTION_SECONDS: std::ops::RangeInclusive<i64> = 30..=300;

/// The claim time of the default policy: a claim not renewed lapses after it.
pub(crate) const CLAIM_SECONDS: i64 = 30 * 60;

/// An instructor handling a session longer than this renews the claim.
const RENEW_AFTER_SECONDS: i64 = 25 * 60;

/// Shares of claims that are released (after a few minutes) or left to lapse.
const RELEASE_SHARE: f64 = 0.03;
const LAPSE_SHARE: f64 = 0.03;

/// Share of students who would cancel if not claimed within their patience (20 min to 4 h).
const IMPATIENT_SHARE: f64 = 0.12;

/// Instructor-hours planned per hour of expected weekday work: slightly more than the work,
/// so queues build at peaks and overnight and drain during shifts.
const STAFFING: f64 = 1.2;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// What the simulation is asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueSetup {
    /// Sessions to book.
    pub sessions: usize,
    /// Bookings fall in `[end - days, end)`.
    pub days: u32,
    /// The end of the history (Unix seconds): nothing happens at or after it.
    pub end: i64,
}

/// One event of a session, as the audit trail stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SimEvent {
    /// Index of the session in [`Simulation::sessions`].
    pub session: usize,
    /// When (Unix seconds).
    pub at: i64,
    /// What happened.
    pub kind: EventKind,
    /// The instructor (index) who did it; `None` for the student's own events.
    pub instructor: Option<usize>,
    /// Seconds the claim holds from `at` (claims and renewals).
    pub holds_for: i64,
}

/// How a session stands at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FinalState {
    /// Waiting (never claimed, or its claim released or lapsed).
    Pending,
    /// Held by an instructor until `until`.
    Claimed { instructor: usize, until: i64 },
    /// Completed by an instructor.
    Completed { instructor: usize, at: i64 },
    /// Cancelled by the student before any claim.
    Cancelled { at: i64 },
}

/// One simulated session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SimSession {
    /// When it was booked (Unix seconds).
    pub booked_at: i64,
    /// How it stands at the end.
    pub state: FinalState,
}

/// The outcome: sessions in booking order, events in time order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Simulation {
    /// The instructors needed (indices `0..instructors`).
    pub instructors: usize,
    /// The sessions.
    pub sessions: Vec<SimSession>,
    /// The audit trail.
    pub events: Vec<SimEvent>,
}

/// Runs the queue; see the module documentation.
pub(crate) fn simulate(setup: QueueSetup, rng: &mut ChaCha8Rng) -> Simulation {
    if setup.sessions == 0 || setup.days == 0 {
        return Simulation::default();
    }
    let start = setup.end - i64::from(setup.days) * DAY;
    let booked = bookings(setup, start, rng);
    let instructors = staff(setup);
    let patience: Vec<Option<i64>> = booked
        .iter()
        .map(|_| {
            rng.random_bool(IMPATIENT_SHARE)
                .then(|| rng.random_range(20 * 60..=4 * HOUR))
        })
        .collect();
    let mut run = Run {
        end: setup.end,
        booked: &booked,
        next_booking: 0,
        pending: BinaryHeap::new(),
        returning: BinaryHeap::new(),
        ever_claimed: vec![false; booked.len()],
        sessions: booked
            .iter()
            .map(|&booked_at| SimSession {
                booked_at,
                state: FinalState::Pending,
            })
            .collect(),
        events: Vec::with_capacity(booked.len() * 3),
    };
    for (session, &at) in booked.iter().enumerate() {
        run.events.push(SimEvent {
            session,
            at,
            kind: EventKind::Booked,
            instructor: None,
            holds_for: 0,
        });
    }
    let mut free: BinaryHeap<Reverse<(i64, usize)>> =
        (0..instructors).map(|i| Reverse((start, i))).collect();
    while let Some(Reverse((at, instructor))) = free.pop() {
        let Some((now, shift_end)) = on_shift(instructor, instructors, at) else {
            continue;
        };
        if now >= setup.end {
            continue;
        }
        if now > at {
            // Off shift until `now`: others free earlier go first.
            free.push(Reverse((now, instructor)));
            continue;
        }
        run.admit(now);
        match run.oldest(now, &patience) {
            Some(session) => {
                let busy_until = run.claim(session, instructor, now, rng);
                free.push(Reverse((busy_until, instructor)));
            }
            None => match run.next_arrival() {
                // Wait for the next session while the shift lasts; an idle instructor
                // notices a new request after a moment, not at once.
                Some(next) if next < shift_end => {
                    let noticed = next + rng.random_range(REACTION_SECONDS);
                    free.push(Reverse((noticed.min(shift_end), instructor)));
                }
                Some(_) => free.push(Reverse((shift_end, instructor))),
                None => {}
            },
        }
    }
    // Students still waiting past their patience cancel, if that happened before the end.
    for (index, session) in run.sessions.iter_mut().enumerate() {
        if session.state == FinalState::Pending && !run.ever_claimed[index] {
            if let Some(at) = patience[index].map(|wait| session.booked_at + wait) {
                if at < setup.end {
                    session.state = FinalState::Cancelled { at };
                    run.events.push(SimEvent {
                        session: index,
                        at,
                        kind: EventKind::Cancelled,
                        instructor: None,
                        holds_for: 0,
                    });
                }
            }
        }
    }
    let Run {
        sessions,
        mut events,
        ..
    } = run;
    // Stable: a session's events at the same second keep their order.
    events.sort_by_key(|event| event.at);
    Simulation {
        instructors,
        sessions,
        events,
    }
}

/// The simulation's moving parts.
struct Run<'b> {
    end: i64,
    booked: &'b [i64],
    /// The first booking not yet admitted to the queue.
    next_booking: usize,
    /// Waiting sessions, oldest booking first.
    pending: BinaryHeap<Reverse<(i64, usize)>>,
    /// Released or lapsed sessions and when they are back in the queue.
    returning: BinaryHeap<Reverse<(i64, usize)>>,
    ever_claimed: Vec<bool>,
    sessions: Vec<SimSession>,
    events: Vec<SimEvent>,
}

impl Run<'_> {
    /// Puts every session booked (or back) by `now` in the queue.
    fn admit(&mut self, now: i64) {
        while let Some(&at) = self.booked.get(self.next_booking) {
            if at > now {
                break;
            }
            self.pending.push(Reverse((at, self.next_booking)));
            self.next_booking += 1;
        }
        while let Some(&Reverse((at, session))) = self.returning.peek() {
            if at > now {
                break;
            }
            self.returning.pop();
            self.pending
                .push(Reverse((self.sessions[session].booked_at, session)));
        }
    }

    /// When the next session enters the queue.
    fn next_arrival(&self) -> Option<i64> {
        let booking = self.booked.get(self.next_booking).copied();
        let back = self.returning.peek().map(|Reverse((at, _))| *at);
        match (booking, back) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The oldest waiting session at `now`, skipping the ones whose student gave up (their
    /// cancellation is recorded at the end).
    fn oldest(&mut self, now: i64, patience: &[Option<i64>]) -> Option<usize> {
        while let Some(Reverse((booked_at, session))) = self.pending.pop() {
            let gave_up = !self.ever_claimed[session]
                && patience[session].is_some_and(|wait| booked_at + wait <= now);
            if !gave_up {
                return Some(session);
            }
        }
        None
    }

    /// `instructor` claims `session` at `now`; returns when they are free again.
    fn claim(&mut self, session: usize, instructor: usize, now: i64, rng: &mut ChaCha8Rng) -> i64 {
        self.ever_claimed[session] = true;
        let event = |kind, at, holds_for| SimEvent {
            session,
            at,
            kind,
            instructor: Some(instructor),
            holds_for,
        };
        self.events
            .push(event(EventKind::Claimed, now, CLAIM_SECONDS));
        let roll: f64 = rng.random();
        if roll < LAPSE_SHARE {
            // Called away: the claim lapses and the session is back in the queue.
            let back = now + CLAIM_SECONDS;
            self.hold_or_return(session, instructor, now, back);
            return back;
        }
        if roll < LAPSE_SHARE + RELEASE_SHARE {
            let back = now + rng.random_range(2 * 60..=10 * 60);
            if back < self.end {
                self.events.push(event(EventKind::Released, back, 0));
            }
            self.hold_or_return(session, instructor, now, back);
            return back;
        }
        let done = now + handling_seconds(rng);
        let mut held_until = now + CLAIM_SECONDS;
        let mut renew = now + RENEW_AFTER_SECONDS;
        while renew < done && renew < self.end {
            self.events
                .push(event(EventKind::Renewed, renew, CLAIM_SECONDS));
            held_until = renew + CLAIM_SECONDS;
            renew += RENEW_AFTER_SECONDS;
        }
        self.sessions[session].state = if done < self.end {
            self.events.push(event(EventKind::Completed, done, 0));
            FinalState::Completed {
                instructor,
                at: done,
            }
        } else {
            FinalState::Claimed {
                instructor,
                until: held_until,
            }
        };
        done + rng.random_range(GAP_MINUTES) * 60
    }

    /// A claim that ends at `back` without completion: held at the end, or back in the queue.
    fn hold_or_return(&mut self, session: usize, instructor: usize, now: i64, back: i64) {
        if back < self.end {
            self.sessions[session].state = FinalState::Pending;
            self.returning.push(Reverse((back, session)));
        } else {
            self.sessions[session].state = FinalState::Claimed {
                instructor,
                until: now + CLAIM_SECONDS,
            };
        }
    }
}

/// `setup.sessions` booking times in `[start, end)`, sorted, drawn by hour of the week.
fn bookings(setup: QueueSetup, start: i64, rng: &mut ChaCha8Rng) -> Vec<i64> {
    let hours = setup.days as usize * 24;
    let mut cumulative = Vec::with_capacity(hours);
    let mut total = 0.0;
    for hour in 0..hours {
        total += booking_weight(start + hour as i64 * HOUR);
        cumulative.push(total);
    }
    let mut times: Vec<i64> = (0..setup.sessions)
        .map(|_| {
            let pick = rng.random::<f64>() * total;
            let hour = cumulative.partition_point(|&c| c <= pick).min(hours - 1);
            start + hour as i64 * HOUR + rng.random_range(0..HOUR)
        })
        .collect();
    times.sort_unstable();
    times
}

fn booking_weight(at: i64) -> f64 {
    let (weekend, hour) = hour_of_week(at);
    WEEKDAY_BOOKINGS[hour] * if weekend { WEEKEND_SHARE } else { 1.0 }
}

/// (Saturday or Sunday, hour of day) of a Unix time.
fn hour_of_week(at: i64) -> (bool, usize) {
    let day = at.div_euclid(DAY);
    // 1970-01-01 was a Thursday (Monday = 0).
    let weekend = (day + 3).rem_euclid(7) >= 5;
    (weekend, (at.rem_euclid(DAY) / HOUR) as usize)
}

/// How many instructors the bookings need: the expected weekday work in instructor-hours,
/// times [`STAFFING`], over 8-hour shifts (each instructor works one shift a weekday).
fn staff(setup: QueueSetup) -> usize {
    let weekday_weight: f64 = WEEKDAY_BOOKINGS.iter().sum();
    let week_weight = weekday_weight * (5.0 + 2.0 * WEEKEND_SHARE);
    let per_weekday =
        setup.sessions as f64 / (f64::from(setup.days) / 7.0) * weekday_weight / week_weight;
    let handling = HANDLING_MEDIAN_MINUTES * (HANDLING_SIGMA * HANDLING_SIGMA / 2.0).exp()
        + (*GAP_MINUTES.start() + *GAP_MINUTES.end()) as f64 / 2.0;
    let hours = per_weekday * handling / 60.0;
    ((hours * STAFFING / 8.0).round() as usize).max(2)
}

/// The shift of `instructor` (of `count`) on the day containing `at`, as `(start, end)`:
/// weekdays alternate early (08-16) and late (15-23) shifts; on weekends every third
/// instructor works 10-18.
fn shift_on_day(instructor: usize, count: usize, day_start: i64) -> Option<(i64, i64)> {
    let (weekend, _) = hour_of_week(day_start);
    let hours = if weekend {
        (instructor.is_multiple_of(3) || count < 3).then_some((10, 18))
    } else if instructor.is_multiple_of(2) {
        Some((8, 16))
    } else {
        Some((15, 23))
    }?;
    Some((day_start + hours.0 * HOUR, day_start + hours.1 * HOUR))
}

/// The first instant at or after `at` when `instructor` is on shift, with that shift's end.
fn on_shift(instructor: usize, count: usize, at: i64) -> Option<(i64, i64)> {
    let today = at.div_euclid(DAY) * DAY;
    (0..8).find_map(|offset| {
        let (start, end) = shift_on_day(instructor, count, today + offset * DAY)?;
        (at < end).then_some((at.max(start), end))
    })
}

/// A log-normal handling time (Box-Muller), at least 3 minutes.
fn handling_seconds(rng: &mut ChaCha8Rng) -> i64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let minutes = HANDLING_MEDIAN_MINUTES * (HANDLING_SIGMA * normal).exp();
    ((minutes * 60.0) as i64).max(3 * 60)
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
