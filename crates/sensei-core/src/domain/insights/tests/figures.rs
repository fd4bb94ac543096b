use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

use super::super::{
    Insights, InsightsPeriod, InsightsRows, OpenRequest, ReasonCount, Spread, TrailKind,
    MAX_LISTED_REASONS,
};
use super::{booked, event, utc};
use crate::domain::{ChallengeId, ScheduledSessionId, UserId};

/// Monday 30 November 2026 00:00 UTC to Monday 14 December: two whole weeks in UTC.
fn two_weeks() -> InsightsPeriod {
    InsightsPeriod::between(utc(2026, 11, 30, 0, 0), utc(2026, 12, 14, 0, 0)).unwrap()
}

fn now() -> DateTime<Utc> {
    utc(2026, 12, 14, 0, 0)
}

fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

#[test]
fn an_empty_period_has_zero_counts_empty_weeks_and_no_percentiles() {
    let insights = Insights::compute(&InsightsRows::default(), two_weeks(), None, &Utc, now());
    let current = &insights.current;
    assert_eq!(current.counts.booked, 0);
    assert_eq!(current.counts.lapsed_claims, 0);
    assert!(current.counts.cancelled_by_reason.is_empty());
    assert_eq!(current.wait, Spread::default());
    assert_eq!(current.weeks.len(), 2);
    assert!(current
        .weeks
        .iter()
        .all(|w| w.booked == 0 && w.wait.median_secs.is_none()));
    assert_eq!(insights.previous.weeks.len(), 2);
    assert!(insights
        .heatmap
        .cells
        .iter()
        .flatten()
        .all(|c| c.bookings == 0));
    assert!(insights.instructors.is_empty());
    assert_eq!(insights.oldest_open, None);
}

#[test]
fn sessions_never_claimed_count_as_booked_and_open_with_no_wait() {
    let rows = InsightsRows {
        sessions: vec![
            booked(1, utc(2026, 12, 1, 9, 0)),
            booked(2, utc(2026, 12, 2, 9, 0)),
        ],
        ..InsightsRows::default()
    };
    let insights = Insights::compute(&rows, two_weeks(), None, &Utc, now());
    let counts = &insights.current.counts;
    assert_eq!((counts.booked, counts.claimed, counts.open_now), (2, 0, 2));
    assert_eq!(insights.current.wait.count, 0);
    assert_eq!(insights.current.wait.median_secs, None);
    assert_eq!(insights.current.weeks[0].booked, 2);
    assert_eq!(insights.heatmap.cells[1][9].bookings, 1);
    assert_eq!(insights.heatmap.cells[1][9].median_wait_secs, None);
}

/// Three sessions in week one, one in week two, one in the previous period.
fn scenario() -> InsightsRows {
    let a = utc(2026, 11, 30, 9, 0); // Monday
    let b = utc(2026, 12, 1, 9, 0);
    let c = utc(2026, 12, 2, 9, 0);
    let d = utc(2026, 12, 8, 14, 0); // week two
    let old = utc(2026, 11, 20, 9, 0); // the previous period
    let mut sessions = vec![
        booked(1, a),
        booked(2, b),
        booked(3, c),
        booked(4, d),
        booked(5, old),
    ];
    // 1: claimed by 7 after 10 min, completed by 7 20 min later.
    sessions[0].completed_at = Some(a + mins(30));
    sessions[0].completed_by = Some(UserId(7));
    // 2: claimed by 7 after 30 min, lapsed; claimed by 8 after 60 min, completed 60 min later
    // (before 8's expiry).
    sessions[1].completed_at = Some(b + mins(120));
    sessions[1].completed_by = Some(UserId(8));
    // 3: never claimed; completed directly by 8.
    sessions[2].completed_at = Some(c + mins(45));
    sessions[2].completed_by = Some(UserId(8));
    // 4: claimed by 8 after 5 min, released, then cancelled without a reason.
    sessions[3].cancelled_at = Some(d + mins(20));
    sessions[3].cancel_reason = Some("   ".to_owned());
    // 5: the previous period: claimed after 50 min, still held.
    let trail = vec![
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            a + mins(10),
            Some(a + mins(40)),
        ),
        event(1, 2, TrailKind::Completed, 7, a + mins(30), None),
        event(
            2,
            3,
            TrailKind::Claimed,
            7,
            b + mins(30),
            Some(b + mins(45)),
        ),
        event(
            2,
            4,
            TrailKind::Claimed,
            8,
            b + mins(60),
            Some(b + mins(130)),
        ),
        event(2, 5, TrailKind::Completed, 8, b + mins(120), None),
        event(3, 6, TrailKind::Completed, 8, c + mins(45), None),
        event(4, 7, TrailKind::Claimed, 8, d + mins(5), Some(d + mins(35))),
        event(4, 8, TrailKind::Released, 8, d + mins(10), None),
        event(4, 9, TrailKind::Cancelled, 3, d + mins(20), None),
        event(
            5,
            10,
            TrailKind::Claimed,
            7,
            old + mins(50),
            Some(now() + mins(10)),
        ),
    ];
    InsightsRows {
        sessions,
        trail,
        oldest_open: Some(OpenRequest {
            id: ScheduledSessionId(5),
            challenge: ChallengeId(1),
            booked_at: old,
        }),
    }
}

#[test]
fn counts_follow_the_sessions_booked_in_the_period() {
    let insights = Insights::compute(&scenario(), two_weeks(), None, &Utc, now());
    let counts = &insights.current.counts;
    assert_eq!(counts.booked, 4);
    assert_eq!(counts.claimed, 3);
    assert_eq!(counts.completed, 3);
    assert_eq!(counts.completed_unclaimed, 1);
    assert_eq!(counts.cancelled, 1);
    assert_eq!(
        counts.cancelled_by_reason,
        [ReasonCount {
            reason: None,
            count: 1
        }]
    );
    assert_eq!(counts.cancelled_by_reason[0].label(), "no reason given");
    assert_eq!(counts.claims, 4);
    assert_eq!(counts.lapsed_claims, 1);
    assert_eq!(counts.open_now, 0);
}

#[test]
fn wait_runs_to_the_first_claim_and_time_to_complete_from_it() {
    let insights = Insights::compute(&scenario(), two_weeks(), None, &Utc, now());
    // Waits: 10, 30 (first claim, although it lapsed), 5 minutes.
    assert_eq!(
        insights.current.wait,
        Spread {
            count: 3,
            median_secs: Some(600),
            p90_secs: Some(1800)
        }
    );
    // Time to complete: 20 min (session 1), 90 min (session 2, from its first claim).
    assert_eq!(
        insights.current.to_complete,
        Spread {
            count: 2,
            median_secs: Some(1200),
            p90_secs: Some(5400)
        }
    );
    let weeks = &insights.current.weeks;
    assert_eq!(
        weeks[0].monday,
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    );
    assert_eq!((weeks[0].booked, weeks[1].booked), (3, 1));
    assert_eq!(weeks[0].wait.count, 2);
    assert_eq!(weeks[1].wait.median_secs, Some(300));
    assert_eq!(weeks[1].to_complete.count, 0);
}

#[test]
fn the_previous_period_is_computed_alike_and_kept_apart() {
    let insights = Insights::compute(&scenario(), two_weeks(), None, &Utc, now());
    let previous = &insights.previous;
    assert_eq!(previous.period.to(), two_weeks().from());
    assert_eq!((previous.counts.booked, previous.counts.claimed), (1, 1));
    assert_eq!(previous.counts.open_now, 1);
    assert_eq!(previous.wait.median_secs, Some(3000));
    // The heatmap and the instructors are the current period's only.
    assert_eq!(
        insights
            .heatmap
            .cells
            .iter()
            .flatten()
            .map(|c| c.bookings)
            .sum::<u64>(),
        4
    );
    let seven = insights
        .instructors
        .iter()
        .find(|i| i.instructor == UserId(7))
        .unwrap();
    assert_eq!(seven.claims, 2);
}

#[test]
fn instructors_get_claims_completions_releases_lapses_and_handling_time() {
    let insights = Insights::compute(&scenario(), two_weeks(), None, &Utc, now());
    let ids: Vec<UserId> = insights.instructors.iter().map(|i| i.instructor).collect();
    assert_eq!(ids, [UserId(7), UserId(8)]);
    let seven = &insights.instructors[0];
    assert_eq!(
        (
            seven.claims,
            seven.completions,
            seven.releases,
            seven.lapsed_claims
        ),
        (2, 1, 0, 1)
    );
    assert_eq!(seven.handling.median_secs, Some(1200));
    let eight = &insights.instructors[1];
    assert_eq!(
        (
            eight.claims,
            eight.completions,
            eight.releases,
            eight.lapsed_claims
        ),
        (2, 2, 1, 0)
    );
    // Only the completion that followed their own claim is handling time (60 min).
    assert_eq!(
        eight.handling,
        Spread {
            count: 1,
            median_secs: Some(3600),
            p90_secs: Some(3600)
        }
    );
}

#[test]
fn the_oldest_open_request_carries_its_age_now() {
    let insights = Insights::compute(&scenario(), two_weeks(), None, &Utc, now());
    let oldest = insights.oldest_open.unwrap();
    assert_eq!(oldest.request.id, ScheduledSessionId(5));
    assert_eq!(
        oldest.age_secs,
        (now() - utc(2026, 11, 20, 9, 0)).num_seconds()
    );
    let other = Insights::compute(&scenario(), two_weeks(), Some(ChallengeId(2)), &Utc, now());
    assert_eq!(other.oldest_open, None);
}

#[test]
fn a_challenge_filter_leaves_out_the_other_challenges_sessions_and_their_claims() {
    let mut rows = scenario();
    rows.sessions[0].challenge = ChallengeId(2);
    let insights = Insights::compute(&rows, two_weeks(), Some(ChallengeId(1)), &Utc, now());
    assert_eq!(insights.current.counts.booked, 3);
    assert_eq!(insights.current.counts.claims, 3);
    assert_eq!(insights.instructors[0].completions, 0);
}

#[test]
fn weeks_and_hours_are_read_on_the_viewers_clock_in_berlin() {
    // Sunday 29 November 2026, 23:30 UTC is Monday 00:30 in Berlin (CET, UTC+1).
    let sunday_night_utc = utc(2026, 11, 29, 23, 30);
    let rows = InsightsRows {
        sessions: vec![booked(1, sunday_night_utc)],
        ..InsightsRows::default()
    };
    let period = InsightsPeriod::between(utc(2026, 11, 23, 0, 0), utc(2026, 12, 7, 0, 0)).unwrap();
    let in_utc = Insights::compute(&rows, period, None, &Utc, now());
    assert_eq!(in_utc.current.weeks[0].booked, 1);
    assert_eq!(in_utc.heatmap.cells[6][23].bookings, 1);
    let in_berlin = Insights::compute(&rows, period, None, &Berlin, now());
    let weeks = &in_berlin.current.weeks;
    assert_eq!(
        weeks[1].monday,
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    );
    assert_eq!(weeks[1].booked, 1);
    assert_eq!(weeks[1].from, utc(2026, 11, 29, 23, 0));
    assert_eq!(in_berlin.heatmap.cells[0][0].bookings, 1);
    // The period starts at 00:00 UTC, 01:00 in Berlin: its first week is cut to it, and its
    // last instant (Sunday 23:59:59 UTC, Monday in Berlin) opens a third, short week.
    assert_eq!(weeks[0].from, period.from());
    assert_eq!(weeks.len(), 3);
    assert_eq!(weeks[2].to - weeks[2].from, Duration::hours(1));
}

#[test]
fn a_week_across_the_autumn_change_is_an_hour_longer_in_berlin() {
    // Clocks in Berlin go back on Sunday 25 October 2026.
    let period =
        InsightsPeriod::between(utc(2026, 10, 18, 22, 0), utc(2026, 11, 1, 23, 0)).unwrap();
    let insights = Insights::compute(&InsightsRows::default(), period, None, &Berlin, now());
    let weeks = &insights.current.weeks;
    assert_eq!(weeks.len(), 2);
    assert_eq!(weeks[0].from, utc(2026, 10, 18, 22, 0));
    assert_eq!(weeks[0].to, utc(2026, 10, 25, 23, 0));
    assert_eq!(weeks[0].to - weeks[0].from, Duration::hours(169));
}

#[test]
fn cancellation_reasons_are_ranked_trimmed_and_cut_after_ten() {
    let t = utc(2026, 12, 1, 9, 0);
    let mut sessions = Vec::new();
    let mut add = |reason: Option<&str>| {
        let id = i32::try_from(sessions.len()).unwrap() + 1;
        let mut session = booked(id, t);
        session.cancelled_at = Some(t + mins(1));
        session.cancel_reason = reason.map(str::to_owned);
        sessions.push(session);
    };
    add(Some("sorted it out"));
    add(Some(" sorted it out "));
    add(None);
    add(Some(""));
    for n in 0..11 {
        add(Some(&format!("reason {n:02}")));
    }
    let rows = InsightsRows {
        sessions,
        ..InsightsRows::default()
    };
    let counts = Insights::compute(&rows, two_weeks(), None, &Utc, now())
        .current
        .counts;
    assert_eq!(counts.cancelled, 15);
    let listed: Vec<(&str, u64)> = counts
        .cancelled_by_reason
        .iter()
        .map(|r| (r.label(), r.count))
        .collect();
    assert_eq!(listed.len(), MAX_LISTED_REASONS);
    assert_eq!(listed[0], ("sorted it out", 2));
    assert_eq!(listed[1], ("no reason given", 2));
    assert_eq!(listed[2], ("reason 00", 1));
    assert_eq!(counts.other_reasons, 3);
}

#[test]
fn sessions_booked_outside_both_periods_and_their_claims_are_skipped() {
    let long_ago = utc(2026, 10, 1, 9, 0);
    let rows = InsightsRows {
        sessions: vec![booked(1, long_ago), booked(2, now())],
        trail: vec![
            event(1, 1, TrailKind::Claimed, 7, utc(2026, 12, 1, 9, 0), None),
            event(2, 2, TrailKind::Claimed, 7, now() + mins(1), None),
        ],
        ..InsightsRows::default()
    };
    let insights = Insights::compute(&rows, two_weeks(), None, &Utc, now());
    assert_eq!(insights.current.counts.booked, 0);
    assert_eq!(insights.previous.counts.booked, 0);
    assert_eq!(insights.current.counts.claims, 0);
    assert!(insights.instructors.is_empty());
}

#[test]
fn a_claim_recorded_before_its_booking_counts_as_a_wait_of_zero() {
    let t = utc(2026, 12, 1, 9, 0);
    let rows = InsightsRows {
        sessions: vec![booked(1, t)],
        trail: vec![event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t - Duration::seconds(2),
            None,
        )],
        ..InsightsRows::default()
    };
    let insights = Insights::compute(&rows, two_weeks(), None, &Utc, now());
    assert_eq!(insights.current.wait.median_secs, Some(0));
}

#[test]
fn a_claim_without_an_actor_counts_for_the_period_but_for_no_instructor() {
    let t = utc(2026, 12, 1, 9, 0);
    let mut claim = event(1, 1, TrailKind::Claimed, 7, t + mins(3), None);
    claim.actor = None;
    let rows = InsightsRows {
        sessions: vec![booked(1, t)],
        trail: vec![claim],
        ..InsightsRows::default()
    };
    let insights = Insights::compute(&rows, two_weeks(), None, &Utc, now());
    assert_eq!(insights.current.counts.claims, 1);
    assert_eq!(insights.current.wait.median_secs, Some(180));
    assert!(insights.instructors.is_empty());
}
