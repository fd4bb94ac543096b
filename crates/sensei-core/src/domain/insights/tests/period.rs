use chrono::{Duration, NaiveDate};
use chrono_tz::{America::Sao_Paulo, Europe::Berlin, Pacific::Apia};

use super::super::{InsightsPeriod, PeriodError, PeriodPreset, MAX_PERIOD_DAYS};
use super::utc;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_preset_ends_now_and_its_previous_period_ends_where_it_starts() {
    let now = utc(2026, 12, 8, 5, 30);
    let period = InsightsPeriod::last(PeriodPreset::Last7Days, now);
    assert_eq!(period.from(), now - Duration::days(7));
    assert_eq!(period.to(), now);
    let previous = period.previous();
    assert_eq!(previous.to(), period.from());
    assert_eq!(previous.from(), now - Duration::days(14));
    assert_eq!(previous.length(), period.length());
    assert!(period.contains(period.from()));
    assert!(!period.contains(period.to()));
}

#[test]
fn presets_are_7_28_and_90_days_and_28_is_the_default() {
    let days: Vec<i64> = PeriodPreset::ALL.iter().map(|p| p.days()).collect();
    assert_eq!(days, [7, 28, 90]);
    assert_eq!(PeriodPreset::default(), PeriodPreset::Last28Days);
    assert_eq!(PeriodPreset::from_days(90), Some(PeriodPreset::Last90Days));
    assert_eq!(PeriodPreset::from_days(30), None);
}

#[test]
fn custom_dates_run_from_the_viewers_midnight_to_the_midnight_after_the_last_day() {
    let now = utc(2026, 12, 8, 5, 30);
    let period = InsightsPeriod::dates(date(2026, 12, 1), date(2026, 12, 7), &Berlin, now).unwrap();
    // CET is UTC+1: midnight in Berlin is 23:00 UTC the day before.
    assert_eq!(period.from(), utc(2026, 11, 30, 23, 0));
    assert_eq!(period.to(), utc(2026, 12, 7, 23, 0));
    assert_eq!(period.previous().from(), utc(2026, 11, 23, 23, 0));
}

#[test]
fn a_period_across_the_spring_change_is_an_hour_shorter() {
    let now = utc(2026, 12, 8, 5, 30);
    // Clocks in Berlin go forward on Sunday 29 March 2026.
    let period = InsightsPeriod::dates(date(2026, 3, 29), date(2026, 3, 29), &Berlin, now).unwrap();
    assert_eq!(period.from(), utc(2026, 3, 28, 23, 0));
    assert_eq!(period.to(), utc(2026, 3, 29, 22, 0));
    assert_eq!(period.length(), Duration::hours(23));
}

#[test]
fn a_day_whose_midnight_does_not_exist_starts_when_the_clocks_jump() {
    let now = utc(2026, 12, 8, 5, 30);
    // São Paulo moved its clocks from 00:00 to 01:00 on 4 November 2018.
    let period =
        InsightsPeriod::dates(date(2018, 11, 4), date(2018, 11, 4), &Sao_Paulo, now).unwrap();
    assert_eq!(period.from(), utc(2018, 11, 4, 3, 0));
    // Samoa skipped 30 December 2011 entirely: that day starts where 31 December does.
    let skipped =
        InsightsPeriod::dates(date(2011, 12, 30), date(2011, 12, 30), &Apia, now).unwrap();
    assert_eq!(skipped.from(), utc(2011, 12, 30, 10, 0));
}

#[test]
fn reversed_dates_are_refused_saying_which_comes_first() {
    let now = utc(2026, 12, 8, 5, 30);
    let error =
        InsightsPeriod::dates(date(2026, 12, 7), date(2026, 12, 1), &Berlin, now).unwrap_err();
    assert_eq!(
        error,
        PeriodError::DatesReversed {
            first: date(2026, 12, 7),
            last: date(2026, 12, 1)
        }
    );
    assert_eq!(
        error.to_string(),
        "the period ends on 2026-12-01 before it starts on 2026-12-07; give the earlier date first"
    );
}

#[test]
fn a_year_and_a_day_is_the_longest_period_and_one_more_day_is_refused() {
    let now = utc(2026, 12, 8, 5, 30);
    let first = date(2025, 12, 1);
    let longest = first + Duration::days(MAX_PERIOD_DAYS - 1);
    assert!(InsightsPeriod::dates(first, longest, &Berlin, now).is_ok());
    let error =
        InsightsPeriod::dates(first, longest + Duration::days(1), &Berlin, now).unwrap_err();
    assert_eq!(error, PeriodError::TooLong { days: 367 });
    assert_eq!(
        error.to_string(),
        "the period spans 367 days; at most 366 days are shown at once, so choose a shorter period"
    );
}

#[test]
fn a_period_starting_after_today_in_the_viewers_zone_is_refused() {
    // 23:30 UTC on 7 December is already 8 December in Berlin.
    let now = utc(2026, 12, 7, 23, 30);
    assert!(InsightsPeriod::dates(date(2026, 12, 8), date(2026, 12, 8), &Berlin, now).is_ok());
    let error =
        InsightsPeriod::dates(date(2026, 12, 8), date(2026, 12, 8), &chrono::Utc, now).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the period starts on 2026-12-08, after today (2026-12-07); choose a first day up to today"
    );
}

#[test]
fn instants_must_be_in_order_and_at_most_a_year_and_a_day_apart() {
    let from = utc(2026, 1, 1, 0, 0);
    assert!(InsightsPeriod::between(from, from + Duration::days(366)).is_ok());
    assert_eq!(
        InsightsPeriod::between(from, from + Duration::days(366) + Duration::seconds(1)),
        Err(PeriodError::TooLong { days: 367 })
    );
    let error = InsightsPeriod::between(from, from).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the period must end after it starts; it starts at 2026-01-01 00:00:00 UTC and ends at 2026-01-01 00:00:00 UTC"
    );
}
