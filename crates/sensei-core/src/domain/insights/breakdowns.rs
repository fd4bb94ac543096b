//! The period's breakdowns: the hour-of-week heatmap (in the viewer's zone) and the figures
//! per instructor.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

use super::claims::{ClaimEnd, ClaimEpisode};
use super::figures::{seconds, Timings};
use super::percentile::Spread;
use super::rows::BookedSession;
use crate::domain::{ScheduledSessionId, UserId};

/// One hour of the week: the bookings made in it and their median wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeatCell {
    /// Sessions booked in this hour of the week.
    pub bookings: u64,
    /// Of them, how many were claimed (the waits the median is taken over).
    pub waits: u64,
    /// Their median wait, in seconds (`None` when none was claimed).
    pub median_wait_secs: Option<i64>,
}

/// Bookings and median wait per hour of the week, in the viewer's zone: `cells[day][hour]`
/// with day 0 Monday … 6 Sunday and hour 0 … 23 on the viewer's clock. On the night clocks
/// go back, the repeated hour's bookings all count in that hour; the skipped hour in spring
/// has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heatmap {
    /// The cells, Monday first.
    pub cells: [[HeatCell; 24]; 7],
}

impl Heatmap {
    /// The heatmap of `sessions` with their timings, in `zone`.
    pub(crate) fn of<Tz: TimeZone>(sessions: &[(&BookedSession, Timings)], zone: &Tz) -> Heatmap {
        let mut cells = [[HeatCell::default(); 24]; 7];
        let mut waits: BTreeMap<(usize, usize), Vec<i64>> = BTreeMap::new();
        for (session, timings) in sessions {
            let (day, hour) = hour_of_week(session.booked_at, zone);
            if let Some(cell) = cells.get_mut(day).and_then(|row| row.get_mut(hour)) {
                cell.bookings += 1;
            }
            if let Some(wait) = timings.wait {
                waits.entry((day, hour)).or_default().push(wait);
            }
        }
        for ((day, hour), list) in waits {
            let spread = Spread::of(list);
            if let Some(cell) = cells.get_mut(day).and_then(|row| row.get_mut(hour)) {
                cell.waits = spread.count;
                cell.median_wait_secs = spread.median_secs;
            }
        }
        Heatmap { cells }
    }
}

/// The (day from Monday, hour) of `at` on the viewer's clock.
pub(crate) fn hour_of_week<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> (usize, usize) {
    let local = at.with_timezone(zone);
    let day = local.weekday().num_days_from_monday();
    // Both are small (below 7 and 24): the conversions cannot fail on any platform.
    (
        usize::try_from(day).unwrap_or(0),
        usize::try_from(local.hour()).unwrap_or(0),
    )
}

/// One instructor's work on the period's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructorFigures {
    /// The instructor.
    pub instructor: UserId,
    /// Claims they made.
    pub claims: u64,
    /// Sessions they completed (with or without a claim).
    pub completions: u64,
    /// Claims they released.
    pub releases: u64,
    /// Claims of theirs that lapsed.
    pub lapsed_claims: u64,
    /// Handling time: from their claim to their completion of the same session.
    pub handling: Spread,
}

/// The figures of every instructor who claimed or completed one of `sessions`, by user id.
pub(crate) fn per_instructor(
    sessions: &[(&BookedSession, Timings)],
    episodes: &[ClaimEpisode],
) -> Vec<InstructorFigures> {
    #[derive(Default)]
    struct Tally {
        claims: u64,
        completions: u64,
        releases: u64,
        lapsed: u64,
        handling: Vec<i64>,
    }
    let included: HashSet<ScheduledSessionId> =
        sessions.iter().map(|(session, _)| session.id).collect();
    let mut tallies: BTreeMap<UserId, Tally> = BTreeMap::new();
    for (session, _) in sessions {
        if let (Some(by), Some(_)) = (session.completed_by, session.completed_at) {
            tallies.entry(by).or_default().completions += 1;
        }
    }
    for episode in episodes.iter().filter(|e| included.contains(&e.session)) {
        let Some(holder) = episode.holder else {
            continue;
        };
        let tally = tallies.entry(holder).or_default();
        tally.claims += 1;
        tally.lapsed += u64::from(episode.lapse.lapsed());
        match episode.end {
            ClaimEnd::Released { .. } => tally.releases += 1,
            ClaimEnd::Completed {
                at,
                by_holder: true,
            } => tally.handling.push(seconds(episode.claimed_at, at)),
            _ => {}
        }
    }
    tallies
        .into_iter()
        .map(|(instructor, tally)| InstructorFigures {
            instructor,
            claims: tally.claims,
            completions: tally.completions,
            releases: tally.releases,
            lapsed_claims: tally.lapsed,
            handling: Spread::of(tally.handling),
        })
        .collect()
}
