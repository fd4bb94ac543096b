//! Claims as episodes: the audit trail records a claim, its renewals and how it ended as
//! separate events; an episode is one hold from its `claimed` event to its end, and says
//! whether it lapsed.
//!
//! A claim **lapsed** when its expiry (the latest one its claim or renewals set) passed with
//! no renewal, release or completion by the holder before it: the holder let the session fall
//! back into the queue. At the expiry instant itself the claim no longer holds (as everywhere
//! in the workflow). A claim recorded before expiries were kept lapsed only when the trail
//! proves it: someone claimed the session again, or another instructor completed it, neither
//! of which the workflow allows while a claim holds; its lapse time is unknown.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::rows::{TrailEvent, TrailKind};
use crate::domain::{ScheduledSessionId, UserId};

/// How a claim episode ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimEnd {
    /// The holder released it.
    Released {
        /// When.
        at: DateTime<Utc>,
    },
    /// Someone completed the session.
    Completed {
        /// When.
        at: DateTime<Utc>,
        /// Whether the completer was the holder (only then is it the holder's handling time).
        by_holder: bool,
    },
    /// The student cancelled the session.
    Cancelled {
        /// When.
        at: DateTime<Utc>,
    },
    /// The session was claimed again (after this claim lapsed).
    ClaimedAgain {
        /// When.
        at: DateTime<Utc>,
    },
    /// Nothing happened after it yet.
    NothingYet,
}

impl ClaimEnd {
    fn at(self) -> Option<DateTime<Utc>> {
        match self {
            ClaimEnd::Released { at }
            | ClaimEnd::Completed { at, .. }
            | ClaimEnd::Cancelled { at }
            | ClaimEnd::ClaimedAgain { at } => Some(at),
            ClaimEnd::NothingYet => None,
        }
    }
}

/// Whether a claim lapsed, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapse {
    /// It did not (or has not yet).
    No,
    /// It lapsed at its expiry.
    At(DateTime<Utc>),
    /// It lapsed, at a time the trail does not record (an event from before expiries were
    /// kept).
    TimeUnknown,
}

impl Lapse {
    /// Whether it lapsed.
    pub fn lapsed(self) -> bool {
        !matches!(self, Lapse::No)
    }
}

/// One hold on a session: from a `claimed` event, through the holder's renewals, to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimEpisode {
    /// The session.
    pub session: ScheduledSessionId,
    /// Who held it (`None` for a claim recorded without an actor).
    pub holder: Option<UserId>,
    /// When the claim was made.
    pub claimed_at: DateTime<Utc>,
    /// The latest expiry its claim or renewals recorded (`None`: not recorded).
    pub expires_at: Option<DateTime<Utc>>,
    /// How many times the holder renewed it.
    pub renewals: u32,
    /// How it ended.
    pub end: ClaimEnd,
    /// Whether it lapsed.
    pub lapse: Lapse,
}

/// The claim episodes of `trail` (any order) at `now`, ordered by session and claim time.
/// Events of sessions outside `sessions` are skipped. Renewals and releases without a claim
/// before them, and completions or cancellations of an unclaimed session, start no episode.
pub fn claim_episodes(
    trail: &[TrailEvent],
    sessions: &HashSet<ScheduledSessionId>,
    now: DateTime<Utc>,
) -> Vec<ClaimEpisode> {
    let mut events: Vec<&TrailEvent> = trail
        .iter()
        .filter(|event| sessions.contains(&event.session))
        .collect();
    events.sort_by_key(|event| (event.session, event.at, event.id));
    let mut episodes = Vec::new();
    let mut open: Option<ClaimEpisode> = None;
    for event in events {
        if let Some(current) = open.take() {
            if current.session == event.session {
                open = follow(current, event, now, &mut episodes);
                if open.is_some() || event.kind != TrailKind::Claimed {
                    continue;
                }
            } else {
                episodes.push(close(current, ClaimEnd::NothingYet, now));
            }
        }
        if event.kind == TrailKind::Claimed {
            open = Some(start(event));
        }
    }
    if let Some(current) = open {
        episodes.push(close(current, ClaimEnd::NothingYet, now));
    }
    episodes
}

fn start(event: &TrailEvent) -> ClaimEpisode {
    ClaimEpisode {
        session: event.session,
        holder: event.actor,
        claimed_at: event.at,
        expires_at: event.expires_at,
        renewals: 0,
        end: ClaimEnd::NothingYet,
        lapse: Lapse::No,
    }
}

/// The episode after `event` on its session: still open (`Some`), or closed and pushed.
fn follow(
    mut current: ClaimEpisode,
    event: &TrailEvent,
    now: DateTime<Utc>,
    episodes: &mut Vec<ClaimEpisode>,
) -> Option<ClaimEpisode> {
    let by_holder = current.holder.is_some() && event.actor == current.holder;
    let end = match event.kind {
        TrailKind::Renewed => {
            // The workflow lets only the holder renew a live claim; anything else in the
            // trail leaves the episode as it was (and a late renewal cannot undo a lapse).
            let live = current.expires_at.is_none_or(|expiry| event.at < expiry);
            if by_holder && live {
                current.expires_at = event.expires_at;
                current.renewals = current.renewals.saturating_add(1);
            }
            return Some(current);
        }
        TrailKind::Claimed => ClaimEnd::ClaimedAgain { at: event.at },
        TrailKind::Released if by_holder => ClaimEnd::Released { at: event.at },
        TrailKind::Released => return Some(current),
        TrailKind::Completed => ClaimEnd::Completed {
            at: event.at,
            by_holder,
        },
        TrailKind::Cancelled => ClaimEnd::Cancelled { at: event.at },
    };
    episodes.push(close(current, end, now));
    None
}

fn close(mut episode: ClaimEpisode, end: ClaimEnd, now: DateTime<Utc>) -> ClaimEpisode {
    episode.end = end;
    episode.lapse = match episode.expires_at {
        // Lapsed when the expiry came no later than whatever ended it (or than now).
        Some(expiry) if expiry <= end.at().unwrap_or(now) => Lapse::At(expiry),
        Some(_) => Lapse::No,
        None => match end {
            ClaimEnd::ClaimedAgain { .. }
            | ClaimEnd::Completed {
                by_holder: false, ..
            } => Lapse::TimeUnknown,
            _ => Lapse::No,
        },
    };
    episode
}
