//! Unit tests of the queue simulation: its invariants, and the estimator's hit rate on it.
use chrono::DateTime;
use rand::SeedableRng;
use sensei_core::{WaitHistoryEntry, WaitModel};

use super::*;

/// Monday 2026-11-30 00:00 UTC.
const END: i64 = 1_795_996_800;

fn run(sessions: usize, days: u32, seed: u64) -> Simulation {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    simulate(
        QueueSetup {
            sessions,
            days,
            end: END,
        },
        &mut rng,
    )
}

#[test]
fn the_end_is_a_monday() {
    assert_eq!(hour_of_week(END), (false, 0));
    assert_eq!(hour_of_week(END - 1), (true, 23));
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let (a, b, c) = (run(500, 14, 1), run(500, 14, 1), run(500, 14, 2));
    assert_eq!(a.sessions, b.sessions);
    assert_eq!(a.events, b.events);
    assert_ne!(a.sessions, c.sessions);
}

#[test]
fn every_event_lies_in_the_history_in_time_order_and_first_claims_follow_bookings() {
    let sim = run(3_000, 28, 5);
    let start = END - 28 * DAY;
    assert!(sim.events.windows(2).all(|pair| pair[0].at <= pair[1].at));
    assert!(sim.events.iter().all(|e| e.at >= start && e.at < END));
    let booked = sim.events.iter().filter(|e| e.kind == EventKind::Booked);
    assert_eq!(booked.count(), 3_000);
    let mut first_claim = vec![None; sim.sessions.len()];
    for event in sim.events.iter().filter(|e| e.kind == EventKind::Claimed) {
        first_claim[event.session].get_or_insert(event.at);
    }
    // First come, first served: first claims happen in booking order.
    let claimed: Vec<(i64, i64)> = sim
        .sessions
        .iter()
        .zip(&first_claim)
        .filter_map(|(s, c)| c.map(|c| (s.booked_at, c)))
        .collect();
    assert!(claimed.iter().all(|(booked, claim)| claim >= booked));
    assert!(claimed.windows(2).all(|pair| pair[0].1 <= pair[1].1));
    // A realistic mix of outcomes.
    let count = |f: fn(&FinalState) -> bool| sim.sessions.iter().filter(|s| f(&s.state)).count();
    assert!(count(|s| matches!(s, FinalState::Completed { .. })) > 2_500);
    assert!(count(|s| matches!(s, FinalState::Cancelled { .. })) > 10);
    let kinds = |kind| sim.events.iter().filter(|e| e.kind == kind).count();
    assert!(kinds(EventKind::Released) > 10 && kinds(EventKind::Renewed) > 10);
}

#[test]
fn nobody_claims_outside_the_shifts() {
    let sim = run(2_000, 14, 3);
    for event in sim.events.iter().filter(|e| e.kind == EventKind::Claimed) {
        let (weekend, hour) = hour_of_week(event.at);
        assert!((8..23).contains(&hour), "claimed at hour {hour}");
        if weekend {
            assert!((10..18).contains(&hour), "claimed at weekend hour {hour}");
        }
    }
}

fn utc(at: i64) -> DateTime<chrono::Utc> {
    DateTime::from_timestamp(at, 0).unwrap_or_default()
}

/// The back-test on the simulation itself (the adapter test repeats it through the database).
fn hit_rate(seed: u64) -> (f64, usize) {
    hit_rate_of(seed, 6_000)
}

/// [`hit_rate`] for `sessions` bookings over 42 days.
fn hit_rate_of(seed: u64, sessions: usize) -> (f64, usize) {
    let sim = run(sessions, 42, seed);
    let mut first_claim = vec![None; sim.sessions.len()];
    for event in sim.events.iter().filter(|e| e.kind == EventKind::Claimed) {
        first_claim[event.session].get_or_insert(event.at);
    }
    let entries: Vec<WaitHistoryEntry> = sim
        .sessions
        .iter()
        .zip(&first_claim)
        .map(|(s, c)| WaitHistoryEntry {
            booked_at: utc(s.booked_at),
            first_claimed_at: c.map(utc),
            closed_unclaimed_at: match s.state {
                FinalState::Cancelled { at } => Some(utc(at)),
                _ => None,
            },
        })
        .collect();
    let pending = pending_intervals(&sim);
    let from = END - 28 * DAY;
    let (mut hits, mut total) = (0, 0);
    let mut diag = [[0u32; 4]; 4];
    let (mut throughput, mut plain_hits) = (0.0, 0);
    let mut model: Option<(i64, WaitModel)> = None;
    for (index, session) in sim.sessions.iter().enumerate() {
        if session.booked_at < from {
            continue;
        }
        if matches!(session.state, FinalState::Cancelled { .. }) && first_claim[index].is_none() {
            continue;
        }
        total += 1;
        let hour = session.booked_at.div_euclid(HOUR) * HOUR;
        if model.as_ref().is_none_or(|(at, _)| *at != hour) {
            model = Some((hour, WaitModel::from_history(&entries, utc(hour))));
            // The plain throughput, for comparison: first claims per minute over 14 days.
            let window = (hour - 14 * DAY)..hour;
            let claims = first_claim
                .iter()
                .flatten()
                .filter(|c| window.contains(c))
                .count();
            throughput = claims as f64 / (14.0 * 24.0 * 60.0);
        }
        let position = 1 + pending
            .iter()
            .take(index)
            .filter(|spans| {
                spans
                    .iter()
                    .any(|&(a, b)| a <= session.booked_at && session.booked_at < b)
            })
            .count() as u32;
        let (Some(claim), Some((_, model))) = (first_claim[index], &model) else {
            continue;
        };
        let actual = ((claim - session.booked_at) as f64 / 60.0).max(1.0);
        let plain = (f64::from(position) / throughput).round().max(1.0) / actual;
        if (1.0 / 1.5..=1.5).contains(&plain) {
            plain_hits += 1;
        }
        let group = match position {
            1 => 0,
            2..=5 => 1,
            6..=20 => 2,
            _ => 3,
        };
        if let Some(minutes) = model.estimate(position, utc(session.booked_at)).minutes() {
            let ratio = f64::from(minutes) / actual;
            if (1.0 / 1.5..=1.5).contains(&ratio) {
                hits += 1;
                diag[group][0] += 1;
            } else if ratio > 1.5 {
                diag[group][1] += 1;
            } else {
                diag[group][2] += 1;
            }
        } else {
            diag[group][3] += 1;
        }
    }
    println!("seed {seed}: [hits, over, under, no estimate] at places 1, 2-5, 6-20, 21+: {diag:?}");
    println!(
        "seed {seed}: plain throughput (position / first claims per minute over 14 days): \
         {:.1} %",
        f64::from(plain_hits) * 100.0 / total as f64
    );
    (f64::from(hits) / total as f64, total)
}

/// Per session, the spans when it waited in the queue (a lapsed claim waits again).
fn pending_intervals(sim: &Simulation) -> Vec<Vec<(i64, i64)>> {
    let mut spans: Vec<Vec<(i64, i64)>> = vec![Vec::new(); sim.sessions.len()];
    let mut open: Vec<Option<i64>> = vec![None; sim.sessions.len()];
    let mut held_until: Vec<Option<i64>> = vec![None; sim.sessions.len()];
    for event in &sim.events {
        let s = event.session;
        if let Some(until) = held_until[s] {
            if until <= event.at && open[s].is_none() {
                open[s] = Some(until);
            }
        }
        match event.kind {
            EventKind::Booked | EventKind::Released => {
                open[s] = Some(event.at);
                held_until[s] = None;
            }
            EventKind::Claimed | EventKind::Renewed => {
                if let Some(from) = open[s].take() {
                    spans[s].push((from, event.at));
                }
                held_until[s] = Some(event.at + event.holds_for);
            }
            EventKind::Completed | EventKind::Cancelled => {
                if let Some(from) = open[s].take() {
                    spans[s].push((from, event.at));
                }
                held_until[s] = None;
            }
        }
    }
    for (s, from) in open.iter().enumerate() {
        let from = from.or(held_until[s].filter(|until| *until < END));
        if let Some(from) = from {
            spans[s].push((from, END));
        }
    }
    spans
}

/// The tuning run: the estimate's constants were chosen on this seed (the adapter back-test
/// uses another).
#[test]
fn the_estimate_hits_seven_waits_in_ten_on_the_tuning_seed() {
    let (rate, total) = hit_rate(11);
    println!(
        "tuning seed 11: {:.1} % of {total} within x1.5",
        rate * 100.0
    );
    assert!(rate >= 0.70, "{:.1} %", rate * 100.0);
}

/// The spread over seeds and the waits' shape, for `docs/wait-estimate.md` (slow in debug:
/// `cargo test -p sensei-diesel --all-features --lib -- --ignored --nocapture spread`).
#[test]
#[ignore = "slow in debug (ten simulations); prints the spread for docs/wait-estimate.md, while the suite's back-test asserts the 70 % bar"]
fn spread_over_seeds_and_the_shape_of_the_waits() {
    for seed in 11..=20 {
        let (rate, total) = hit_rate(seed);
        println!("seed {seed}: {:.1} % of {total} within x1.5", rate * 100.0);
    }
    for sessions in [1_500, 12_000] {
        let (rate, total) = hit_rate_of(11, sessions);
        println!(
            "{sessions} sessions: {:.1} % of {total} within x1.5",
            rate * 100.0
        );
    }
    let sim = run(6_000, 42, 11);
    let mut first_claim = vec![None; sim.sessions.len()];
    for event in sim.events.iter().filter(|e| e.kind == EventKind::Claimed) {
        first_claim[event.session].get_or_insert(event.at);
    }
    let mut waits: Vec<i64> = sim
        .sessions
        .iter()
        .zip(&first_claim)
        .filter_map(|(s, c)| c.map(|c| (c - s.booked_at) / 60))
        .collect();
    waits.sort_unstable();
    let q = |p: f64| waits[((waits.len() - 1) as f64 * p) as usize];
    println!(
        "{} instructors; waits in minutes: p10 {} p25 {} p50 {} p75 {} p90 {}",
        sim.instructors,
        q(0.1),
        q(0.25),
        q(0.5),
        q(0.75),
        q(0.9)
    );
}
