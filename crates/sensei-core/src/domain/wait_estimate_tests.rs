//! Unit tests of `wait_estimate`: hand-made histories with rates that can be worked out on paper.
use chrono::TimeZone;

use super::*;

/// Monday 2026-11-30 00:00 UTC: the window is the two full weeks before it.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
}

fn since() -> DateTime<Utc> {
    wait_history_window(now()).0
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

fn entry(booked_at: DateTime<Utc>, first_claimed_at: Option<DateTime<Utc>>) -> WaitHistoryEntry {
    WaitHistoryEntry {
        booked_at,
        first_claimed_at,
        closed_unclaimed_at: None,
    }
}

/// A queue that never empties: a session is booked every 6 minutes from the window's start and
/// claimed 6 minutes later, so the rate is one claim per 6 minutes around the clock.
fn round_the_clock() -> Vec<WaitHistoryEntry> {
    (0..14 * 24 * 10)
        .map(|i| {
            let booked = since() + minutes(6 * i);
            entry(booked, Some(booked + minutes(6)))
        })
        .collect()
}

/// Office hours: 1,000 sessions booked at the window's start, claimed one every 6 minutes from
/// 09:00 to 16:54 on weekdays only (80 a day); the queue is never empty.
fn office_hours() -> Vec<WaitHistoryEntry> {
    let mut claims = Vec::new();
    for day in 0..14 {
        let midnight = since() + Duration::days(day);
        if day % 7 >= 5 {
            continue;
        }
        claims.extend((0..80).map(|k| midnight + Duration::hours(9) + minutes(6 * k)));
    }
    (0..1_000)
        .map(|i| entry(since(), claims.get(i).copied()))
        .collect()
}

fn about(minutes: u32) -> WaitEstimate {
    WaitEstimate::About {
        minutes,
        basis_days: 14,
    }
}

#[test]
fn an_empty_history_gives_no_estimate() {
    let model = WaitModel::from_history(&[], now());
    assert_eq!(model.estimate(1, now()), WaitEstimate::NotYet);
}

#[test]
fn fewer_than_twenty_first_claims_give_no_estimate_and_twenty_give_one() {
    let history = round_the_clock();
    // The last claims of the window, counted from the end: 19 then 20 claimed before `now`.
    let thin: Vec<_> = history[history.len() - 20..].to_vec();
    assert_eq!(
        WaitModel::from_history(&thin, now()).estimate(1, now()),
        WaitEstimate::NotYet
    );
    let enough: Vec<_> = history[history.len() - 21..].to_vec();
    assert!(matches!(
        WaitModel::from_history(&enough, now()).estimate(1, now()),
        WaitEstimate::About { .. }
    ));
}

#[test]
fn a_steady_rate_of_one_claim_per_six_minutes_puts_position_three_fifteen_minutes_away() {
    // Never two waiting: no saturated time, so the rate while non-empty stands in.
    let model = WaitModel::from_history(&round_the_clock(), now());
    // (3 - 0.5) expected claims at 1/6 a minute.
    assert_eq!(model.estimate(3, now()), about(15));
    // The first in line: every booking came into an empty queue and waited 6 minutes.
    assert_eq!(model.estimate(1, now()), about(6));
    // From 01:00 every hour saw exactly 10 claims a day (the window's first hour lacks one).
    let one_o_clock = now() + Duration::hours(1);
    assert_eq!(model.estimate(21, one_o_clock), about(123));
}

#[test]
fn the_rate_counts_claims_while_two_or_more_wait_so_instant_claims_do_not_inflate_it() {
    // Each hour: A and B booked at :00, claimed at :10 and :20; C booked at :40 and claimed
    // at once by an idle instructor. Saturated (two waiting) 10 minutes an hour, one claim.
    let mut history = Vec::new();
    for hour in 0..14 * 24 {
        let start = since() + Duration::hours(hour);
        history.push(entry(start, Some(start + minutes(10))));
        history.push(entry(start, Some(start + minutes(20))));
        history.push(entry(start + minutes(40), Some(start + minutes(40))));
    }
    let model = WaitModel::from_history(&history, now());
    // 2.5 claims at 1 per 10 minutes (the non-empty rate, 3 per 20 minutes, would say 17).
    assert_eq!(model.estimate(3, now()), about(25));
}

#[test]
fn the_first_in_line_gets_the_wait_most_bookings_into_an_empty_queue_had() {
    // One booking an hour into an empty queue: claimed after 2 minutes on 7 days of 10, after
    // 20 minutes on the others. A mean (7.4) would be right for neither group.
    let history: Vec<_> = (0..14 * 24)
        .map(|hour| {
            let start = since() + Duration::hours(hour);
            let wait = if (hour / 24) % 10 < 7 { 2 } else { 20 };
            entry(start, Some(start + minutes(wait)))
        })
        .collect();
    let model = WaitModel::from_history(&history, now());
    assert_eq!(model.estimate(1, now() + Duration::hours(10)), about(2));
}

#[test]
fn position_zero_reads_as_position_one() {
    let model = WaitModel::from_history(&round_the_clock(), now());
    assert_eq!(model.estimate(0, now()), model.estimate(1, now()));
}

#[test]
fn the_rate_counts_only_minutes_when_the_queue_was_non_empty() {
    // Booked on the hour and at half past, claimed 6 minutes later: the queue is empty 48 of
    // every 60 minutes, yet while it is not, claims come one per 6 minutes.
    let history: Vec<_> = (0..14 * 24 * 2)
        .map(|i| {
            let booked = since() + minutes(30 * i);
            entry(booked, Some(booked + minutes(6)))
        })
        .collect();
    let model = WaitModel::from_history(&history, now());
    assert_eq!(model.estimate(3, now()), about(15));
}

#[test]
fn a_booking_after_hours_waits_for_the_next_morning() {
    let model = WaitModel::from_history(&office_hours(), now());
    let monday_evening = now() + Duration::hours(20);
    // 13 hours of night, then half a claim at 10 an hour.
    assert_eq!(model.estimate(1, monday_evening), about(13 * 60 + 3));
    let tuesday_morning = now() + Duration::hours(24 + 10);
    assert_eq!(model.estimate(3, tuesday_morning), about(15));
}

#[test]
fn a_long_line_late_in_the_day_carries_over_to_the_next_working_day() {
    let model = WaitModel::from_history(&office_hours(), now());
    let monday_half_past_four = now() + Duration::hours(16) + minutes(30);
    // 5 claims by 17:00, 16 hours of night, then 4.5 claims (27 minutes).
    assert_eq!(
        model.estimate(10, monday_half_past_four),
        about(30 + 960 + 27)
    );
}

#[test]
fn friday_evening_waits_through_the_weekend() {
    let model = WaitModel::from_history(&office_hours(), now());
    let friday_evening = now() + Duration::days(4) + Duration::hours(18);
    // 6 hours of Friday, 48 of weekend, 9 of Monday morning, then 3 minutes.
    assert_eq!(
        model.estimate(1, friday_evening),
        about((6 + 48 + 9) * 60 + 3)
    );
}

#[test]
fn a_wait_beyond_the_seven_day_horizon_gives_no_estimate() {
    let model = WaitModel::from_history(&office_hours(), now());
    // At most 5 x 80 claims in a week.
    assert!(matches!(
        model.estimate(400, now()),
        WaitEstimate::About { .. }
    ));
    assert_eq!(model.estimate(401, now()), WaitEstimate::NotYet);
}

#[test]
fn claims_after_the_models_instant_are_not_seen() {
    // All claimed, but only after `now`: as of `now` nothing has been claimed yet.
    let history: Vec<_> = (0..100)
        .map(|i| entry(now() - minutes(100 - i), Some(now() + minutes(i))))
        .collect();
    assert_eq!(
        WaitModel::from_history(&history, now()).estimate(1, now()),
        WaitEstimate::NotYet
    );
    // The same history seen from a day later estimates.
    let later = now() + Duration::days(1);
    assert!(WaitModel::from_history(&history, later)
        .estimate(1, later)
        .minutes()
        .is_some());
}

#[test]
fn sessions_booked_before_the_window_are_left_out() {
    let old: Vec<_> = round_the_clock()
        .into_iter()
        .map(|e| entry(e.booked_at - Duration::days(14), e.first_claimed_at))
        .collect();
    assert_eq!(
        WaitModel::from_history(&old, now()).estimate(1, now()),
        WaitEstimate::NotYet
    );
}

#[test]
fn a_cancellation_before_any_claim_empties_the_queue() {
    // Each hour: one session booked on the hour and claimed at :06, one booked at :30 and
    // cancelled at :36. Non-empty 12 minutes an hour with one claim: 1 per 12 minutes.
    let mut history = Vec::new();
    for hour in 0..14 * 24 {
        let start = since() + Duration::hours(hour);
        history.push(entry(start, Some(start + minutes(6))));
        history.push(WaitHistoryEntry {
            booked_at: start + minutes(30),
            first_claimed_at: None,
            closed_unclaimed_at: Some(start + minutes(36)),
        });
    }
    let model = WaitModel::from_history(&history, now());
    assert_eq!(model.estimate(1, now()), about(6));
}

#[test]
fn the_basis_is_the_days_of_history_seen_rounded_up() {
    let recent: Vec<_> = (0..50)
        .map(|i| {
            let booked = now() - Duration::hours(50) + Duration::hours(i);
            entry(booked, Some(booked + minutes(6)))
        })
        .collect();
    let model = WaitModel::from_history(&recent, now());
    assert_eq!(model.basis_days(), 3);
    assert!(model
        .estimate(1, now())
        .describe()
        .ends_with("(from the last 3 days)"));
    assert_eq!(
        WaitModel::from_history(&round_the_clock(), now()).basis_days(),
        14
    );
}

#[test]
fn describe_says_minutes_under_an_hour_and_hours_with_five_minute_steps_above() {
    let text = |minutes, basis_days| {
        WaitEstimate::About {
            minutes,
            basis_days,
        }
        .describe()
    };
    assert_eq!(text(25, 14), "about 25 min (from the last 14 days)");
    assert_eq!(text(1, 14), "about 1 min (from the last 14 days)");
    assert_eq!(text(59, 14), "about 59 min (from the last 14 days)");
    assert_eq!(text(60, 14), "about 1 h (from the last 14 days)");
    assert_eq!(text(190, 14), "about 3 h 10 min (from the last 14 days)");
    assert_eq!(text(188, 14), "about 3 h 10 min (from the last 14 days)");
    assert_eq!(text(187, 14), "about 3 h 5 min (from the last 14 days)");
    assert_eq!(text(25, 1), "about 25 min (from the last day)");
    assert_eq!(WaitEstimate::NotYet.describe(), "no estimate yet");
}

#[test]
fn the_history_window_is_the_fourteen_days_before_now() {
    assert_eq!(
        wait_history_window(now()),
        (now() - Duration::days(14), now())
    );
}
