//! The figures of one period: counts, wait and time to complete overall and per week. The
//! period's sessions are those **booked** in it (a cohort): what happened to them later —
//! claims, completions, cancellations, up to now — counts for the period they were booked in.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::claims::ClaimEpisode;
use super::percentile::Spread;
use super::period::{start_of_day, InsightsPeriod};
use super::rows::BookedSession;
use crate::domain::ScheduledSessionId;

/// At most this many distinct cancellation reasons are listed; the rest are summed as
/// [`Counts::other_reasons`] (reasons are free text: a page of them helps nobody).
pub const MAX_LISTED_REASONS: usize = 10;

/// How many cancelled sessions gave one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    /// The reason, trimmed (`None`: no reason given).
    pub reason: Option<String>,
    /// How many.
    pub count: u64,
}

impl ReasonCount {
    /// What people read: the reason, or "no reason given".
    pub fn label(&self) -> &str {
        self.reason.as_deref().unwrap_or("no reason given")
    }
}

/// What happened to the sessions booked in a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Sessions booked in the period.
    pub booked: u64,
    /// Of them, claimed at least once.
    pub claimed: u64,
    /// Of them, completed.
    pub completed: u64,
    /// Of the completed, those completed without ever being claimed (any instructor may
    /// complete a pending session): they have no wait and no time to complete.
    pub completed_unclaimed: u64,
    /// Of them, cancelled by the student.
    pub cancelled: u64,
    /// The cancelled by reason, most frequent first (ties by reason, "no reason given" last),
    /// at most [`MAX_LISTED_REASONS`].
    pub cancelled_by_reason: Vec<ReasonCount>,
    /// Cancelled sessions whose reason is beyond the listed ones.
    pub other_reasons: u64,
    /// Claims made on them (a renewal is not a new claim).
    pub claims: u64,
    /// Of those claims, the ones that lapsed.
    pub lapsed_claims: u64,
    /// Of them, still open now (neither completed nor cancelled).
    pub open_now: u64,
}

/// One week's figures (weeks start on Monday at midnight in the viewer's zone; the first and
/// last weeks are cut to the period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekFigures {
    /// The week's Monday, in the viewer's zone.
    pub monday: NaiveDate,
    /// Where the week starts within the period.
    pub from: DateTime<Utc>,
    /// Where it ends within the period (excluded).
    pub to: DateTime<Utc>,
    /// Sessions booked in it.
    pub booked: u64,
    /// Wait of the sessions booked in it.
    pub wait: Spread,
    /// Time to complete of the sessions booked in it.
    pub to_complete: Spread,
}

/// One period's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFigures {
    /// The period.
    pub period: InsightsPeriod,
    /// What happened to its sessions.
    pub counts: Counts,
    /// Wait (booking → first claim) of its sessions that were claimed.
    pub wait: Spread,
    /// Time to complete (first claim → completion) of its sessions claimed and completed.
    pub to_complete: Spread,
    /// The same per week.
    pub weeks: Vec<WeekFigures>,
}

/// The durations of one session, in whole seconds (a negative one, from clocks that
/// disagreed, counts as zero).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timings {
    pub(crate) wait: Option<i64>,
    pub(crate) to_complete: Option<i64>,
}

impl Timings {
    pub(crate) fn of(session: &BookedSession, first_claim: Option<DateTime<Utc>>) -> Timings {
        Timings {
            wait: first_claim.map(|claimed| seconds(session.booked_at, claimed)),
            to_complete: first_claim
                .zip(session.completed_at)
                .map(|(claimed, completed)| seconds(claimed, completed)),
        }
    }
}

/// Whole seconds from `from` to `to`, fractions dropped, never negative.
pub(crate) fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

/// The figures of `period` from the sessions booked in it (`sessions` may hold others: they
/// are skipped), their claim episodes, and each session's first claim.
pub(crate) fn period_figures<Tz: TimeZone>(
    period: InsightsPeriod,
    sessions: &[&BookedSession],
    episodes: &[ClaimEpisode],
    first_claims: &HashMap<ScheduledSessionId, DateTime<Utc>>,
    zone: &Tz,
) -> PeriodFigures {
    let mut weeks = week_frames(period, zone);
    let first_monday = weeks.first().map(|week| week.monday);
    let mut week_waits: Vec<Vec<i64>> = vec![Vec::new(); weeks.len()];
    let mut week_completes: Vec<Vec<i64>> = vec![Vec::new(); weeks.len()];
    let (mut waits, mut completes) = (Vec::new(), Vec::new());
    let mut counts = Counts::default();
    let mut reasons: BTreeMap<Option<String>, u64> = BTreeMap::new();
    let mut included = HashSet::new();
    for session in sessions.iter().filter(|s| period.contains(s.booked_at)) {
        included.insert(session.id);
        let first_claim = first_claims.get(&session.id).copied();
        let timings = Timings::of(session, first_claim);
        counts.booked += 1;
        counts.claimed += u64::from(first_claim.is_some());
        counts.completed += u64::from(session.completed_at.is_some());
        counts.completed_unclaimed +=
            u64::from(session.completed_at.is_some() && first_claim.is_none());
        counts.open_now +=
            u64::from(session.completed_at.is_none() && session.cancelled_at.is_none());
        if session.cancelled_at.is_some() {
            counts.cancelled += 1;
            *reasons
                .entry(reason_key(session.cancel_reason.as_deref()))
                .or_default() += 1;
        }
        let week =
            first_monday.and_then(|first| week_index(first, monday_of(session.booked_at, zone)));
        if let Some(week) = week.and_then(|index| weeks.get_mut(index)) {
            week.booked += 1;
        }
        if let Some(wait) = timings.wait {
            waits.push(wait);
            if let Some(list) = week.and_then(|index| week_waits.get_mut(index)) {
                list.push(wait);
            }
        }
        if let Some(to_complete) = timings.to_complete {
            completes.push(to_complete);
            if let Some(list) = week.and_then(|index| week_completes.get_mut(index)) {
                list.push(to_complete);
            }
        }
    }
    for episode in episodes.iter().filter(|e| included.contains(&e.session)) {
        counts.claims += 1;
        counts.lapsed_claims += u64::from(episode.lapse.lapsed());
    }
    (counts.cancelled_by_reason, counts.other_reasons) = rank_reasons(reasons);
    for ((week, waits), completes) in weeks.iter_mut().zip(week_waits).zip(week_completes) {
        week.wait = Spread::of(waits);
        week.to_complete = Spread::of(completes);
    }
    PeriodFigures {
        period,
        counts,
        wait: Spread::of(waits),
        to_complete: Spread::of(completes),
        weeks,
    }
}

/// The key a reason is counted under: trimmed, blank as none.
fn reason_key(reason: Option<&str>) -> Option<String> {
    reason
        .map(str::trim)
        .filter(|reason| !reason.is_empty())
        .map(str::to_owned)
}

/// The reasons most frequent first (ties: by text, "no reason given" last), cut to
/// [`MAX_LISTED_REASONS`], with the count of the rest.
fn rank_reasons(reasons: BTreeMap<Option<String>, u64>) -> (Vec<ReasonCount>, u64) {
    let mut ranked: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(reason, count)| ReasonCount { reason, count })
        .collect();
    ranked.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.reason.is_none().cmp(&b.reason.is_none()))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    let rest = ranked
        .split_off(MAX_LISTED_REASONS.min(ranked.len()))
        .iter()
        .map(|reason| reason.count)
        .sum();
    (ranked, rest)
}

/// The Monday (in `zone`) of the week `at` falls in.
pub(crate) fn monday_of<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> NaiveDate {
    let date = at.with_timezone(zone).date_naive();
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn week_index(first_monday: NaiveDate, monday: NaiveDate) -> Option<usize> {
    usize::try_from((monday - first_monday).num_days() / 7).ok()
}

/// The weeks `period` touches, empty, each cut to the period. A period is at most a year
/// long, so this is at most 54 weeks; the bound below only guards the loop.
fn week_frames<Tz: TimeZone>(period: InsightsPeriod, zone: &Tz) -> Vec<WeekFigures> {
    const MAX_WEEKS: usize = 60;
    let mut weeks = Vec::new();
    let mut monday = monday_of(period.from(), zone);
    while weeks.len() < MAX_WEEKS {
        let Some(starts) = start_of_day(monday, zone) else {
            break;
        };
        if starts >= period.to() {
            break;
        }
        let next = monday + Duration::days(7);
        let ends = start_of_day(next, zone).unwrap_or(period.to());
        weeks.push(WeekFigures {
            monday,
            from: starts.max(period.from()),
            to: ends.min(period.to()),
            booked: 0,
            wait: Spread::default(),
            to_complete: Spread::default(),
        });
        monday = next;
    }
    weeks
}
