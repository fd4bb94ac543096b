//! Queue insights: what happened to the requests booked in a period, computed from the raw
//! rows of the sessions table and the audit trail. Pure and deterministic; the definitions
//! (written for programme managers in `docs/insights.md`) live here once:
//!
//! - A session counts in the period it was **booked** in; everything that happened to it
//!   later, up to now, counts there too.
//! - **Wait**: booking → first claim. **Time to complete**: first claim → completion.
//!   **Handling time**: an instructor's claim → their completion of the same session.
//! - A claim **lapsed** when its expiry passed with no renewal, release or completion by the
//!   holder before it ([`claim_episodes`]).
//! - Percentiles by nearest rank ([`nearest_rank`]); weeks start on Monday and hours are read
//!   in the viewer's zone; each period is compared with the one of the same length before it.

mod breakdowns;
mod claims;
mod figures;
mod percentile;
mod period;
mod rows;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};

pub use breakdowns::{HeatCell, Heatmap, InstructorFigures};
pub use claims::{claim_episodes, ClaimEnd, ClaimEpisode, Lapse};
pub use figures::{Counts, PeriodFigures, ReasonCount, WeekFigures, MAX_LISTED_REASONS};
pub use percentile::{nearest_rank, Spread};
pub use period::{InsightsPeriod, PeriodError, PeriodPreset, MAX_PERIOD_DAYS};
pub use rows::{BookedSession, InsightsRows, OpenRequest, TrailEvent, TrailKind};

use crate::domain::{ChallengeId, ScheduledSessionId};
use breakdowns::per_instructor;
use figures::{period_figures, seconds, Timings};

/// The oldest request open now, and how long it has waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldestOpen {
    /// The request.
    pub request: OpenRequest,
    /// Its age now, in whole seconds.
    pub age_secs: i64,
}

/// Everything `/admin/insights` shows, for one period and an optional challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insights {
    /// The challenge the figures are limited to (`None`: every challenge).
    pub challenge: Option<ChallengeId>,
    /// The period's figures.
    pub current: PeriodFigures,
    /// The previous period's (same length, just before), to compare with.
    pub previous: PeriodFigures,
    /// Bookings and median wait per hour of the week, of the period's sessions.
    pub heatmap: Heatmap,
    /// Per instructor, of the period's sessions, by user id.
    pub instructors: Vec<InstructorFigures>,
    /// The oldest request open now (whenever booked), with its age.
    pub oldest_open: Option<OldestOpen>,
}

impl Insights {
    /// The insights of `period` (and the one before it) from `rows`, with weeks and hours in
    /// `zone`, at `now`. Rows of other challenges than `challenge` (when given), and sessions
    /// booked outside both periods, are skipped, so a port may return more than asked.
    pub fn compute<Tz: TimeZone>(
        rows: &InsightsRows,
        period: InsightsPeriod,
        challenge: Option<ChallengeId>,
        zone: &Tz,
        now: DateTime<Utc>,
    ) -> Insights {
        let previous = period.previous();
        let sessions: Vec<&BookedSession> = rows
            .sessions
            .iter()
            .filter(|session| challenge.is_none_or(|wanted| session.challenge == wanted))
            .filter(|session| {
                period.contains(session.booked_at) || previous.contains(session.booked_at)
            })
            .collect();
        let ids: HashSet<ScheduledSessionId> = sessions.iter().map(|session| session.id).collect();
        let episodes = claim_episodes(&rows.trail, &ids, now);
        let first_claims = first_claims(&episodes);
        let in_period: Vec<(&BookedSession, Timings)> = sessions
            .iter()
            .filter(|session| period.contains(session.booked_at))
            .map(|&session| {
                (
                    session,
                    Timings::of(session, first_claims.get(&session.id).copied()),
                )
            })
            .collect();
        let oldest_open = rows
            .oldest_open
            .filter(|open| challenge.is_none_or(|wanted| open.challenge == wanted))
            .map(|request| OldestOpen {
                request,
                age_secs: seconds(request.booked_at, now),
            });
        Insights {
            challenge,
            current: period_figures(period, &sessions, &episodes, &first_claims, zone),
            previous: period_figures(previous, &sessions, &episodes, &first_claims, zone),
            heatmap: Heatmap::of(&in_period, zone),
            instructors: per_instructor(&in_period, &episodes),
            oldest_open,
        }
    }
}

/// Each session's first claim: its earliest episode.
fn first_claims(episodes: &[ClaimEpisode]) -> HashMap<ScheduledSessionId, DateTime<Utc>> {
    let mut first = HashMap::new();
    for episode in episodes {
        first
            .entry(episode.session)
            .and_modify(|at: &mut DateTime<Utc>| *at = (*at).min(episode.claimed_at))
            .or_insert(episode.claimed_at);
    }
    first
}
