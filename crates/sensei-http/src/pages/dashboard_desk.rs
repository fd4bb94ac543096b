//! The dashboard's desk pieces: which challenges the queue shows (the URL's, the viewer's
//! "my challenges", or all), the live stream's address for that choice, and the "On duty"
//! list.

use sensei_core::{ChallengeId, OnDuty};

use crate::zone::ViewerZone;

/// The stream the live script listens to (see `static/live.js`).
pub const EVENTS_PATH: &str = "/api/v1/events";

/// Which challenges the queue shows, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeScope {
    /// The URL names one (`?challenge=ID`).
    Named(ChallengeId),
    /// The viewer's "my challenges" (the URL names none and does not ask for all).
    Mine(Vec<ChallengeId>),
    /// Every challenge: `?all=1`, or the viewer chose none.
    All {
        /// Whether the URL asked for it (`?all=1`; the choice is then not read).
        asked: bool,
    },
}

impl ChallengeScope {
    /// The scope for a URL naming `named` (or none), asking for all or not, for a viewer
    /// who chose `mine` (read only when it matters).
    pub fn of(named: Option<ChallengeId>, all: bool, mine: Vec<ChallengeId>) -> Self {
        match named {
            Some(challenge) => ChallengeScope::Named(challenge),
            None if all => ChallengeScope::All { asked: true },
            None if mine.is_empty() => ChallengeScope::All { asked: false },
            None => ChallengeScope::Mine(mine),
        }
    }

    /// The challenges the queue's query keeps (empty: no such filter).
    pub fn challenge_ids(&self) -> Vec<ChallengeId> {
        match self {
            ChallengeScope::Mine(chosen) => chosen.clone(),
            _ => Vec::new(),
        }
    }

    /// The live stream's address for this scope: the same challenges as the page, so a
    /// page refreshes only for the events it shows.
    pub fn stream_href(&self) -> String {
        let pairs: Vec<(&str, String)> = match self {
            ChallengeScope::Named(challenge) => vec![("challenge", challenge.to_string())],
            ChallengeScope::Mine(chosen) => chosen
                .iter()
                .map(|challenge| ("challenge", challenge.to_string()))
                .collect(),
            ChallengeScope::All { .. } => vec![("all", "1".to_owned())],
        };
        match serde_urlencoded::to_string(&pairs) {
            Ok(query) if !query.is_empty() => format!("{EVENTS_PATH}?{query}"),
            _ => EVENTS_PATH.to_owned(),
        }
    }

    /// The sentence saying which challenges the queue shows, when it is not simply all.
    pub fn note(&self) -> Option<String> {
        match self {
            ChallengeScope::Named(challenge) => {
                Some(format!("Showing challenge {challenge} only."))
            }
            ChallengeScope::Mine(chosen) if chosen.len() == 1 => {
                Some("Showing your challenge only (1 chosen).".to_owned())
            }
            ChallengeScope::Mine(chosen) => Some(format!(
                "Showing your challenges only ({} chosen).",
                chosen.len()
            )),
            ChallengeScope::All { asked: true } => Some("Showing all challenges.".to_owned()),
            ChallengeScope::All { asked: false } => None,
        }
    }

    /// Whether "Show all challenges" is offered (the queue is narrowed to the viewer's).
    pub fn offers_all(&self) -> bool {
        matches!(self, ChallengeScope::Mine(_))
    }

    /// Whether "Show my challenges" is offered (the viewer asked for all).
    pub fn offers_mine(&self) -> bool {
        matches!(self, ChallengeScope::All { asked: true })
    }
}

/// A session an on-duty instructor holds, as the dashboard links it.
#[derive(Debug, Clone)]
pub struct HoldingView {
    /// The session's id (the link).
    pub id: i32,
    /// Its challenge's name.
    pub challenge: String,
}

/// An on-duty instructor, as the dashboard lists them.
#[derive(Debug, Clone)]
pub struct OnDutyView {
    /// Their email.
    pub email: String,
    /// When they were last seen, in the viewer's zone.
    pub last_seen: String,
    /// What they hold.
    pub holds: Vec<HoldingView>,
}

/// The "On duty" list for the viewer.
pub fn on_duty_views(listed: &[OnDuty], zone: ViewerZone) -> Vec<OnDutyView> {
    listed
        .iter()
        .map(|instructor| OnDutyView {
            email: instructor.email.clone(),
            last_seen: zone.datetime(&instructor.last_seen),
            holds: instructor
                .holds
                .iter()
                .map(|held| HoldingView {
                    id: held.id.get(),
                    challenge: held.challenge_name.clone(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_wins_then_my_challenges_then_all() {
        let mine = vec![ChallengeId(3), ChallengeId(5)];
        assert_eq!(
            ChallengeScope::of(Some(ChallengeId(7)), false, mine.clone()),
            ChallengeScope::Named(ChallengeId(7))
        );
        assert_eq!(
            ChallengeScope::of(None, false, mine.clone()),
            ChallengeScope::Mine(mine.clone())
        );
        assert_eq!(
            ChallengeScope::of(None, true, mine),
            ChallengeScope::All { asked: true }
        );
        assert_eq!(
            ChallengeScope::of(None, true, vec![]),
            ChallengeScope::All { asked: true }
        );
        assert_eq!(
            ChallengeScope::of(None, false, vec![]),
            ChallengeScope::All { asked: false }
        );
    }

    #[test]
    fn the_stream_follows_the_scope() {
        let mine = ChallengeScope::Mine(vec![ChallengeId(3), ChallengeId(5)]);
        assert_eq!(mine.stream_href(), "/api/v1/events?challenge=3&challenge=5");
        assert_eq!(
            ChallengeScope::Named(ChallengeId(7)).stream_href(),
            "/api/v1/events?challenge=7"
        );
        assert_eq!(
            ChallengeScope::All { asked: false }.stream_href(),
            "/api/v1/events?all=1"
        );
        assert_eq!(
            mine.note().as_deref(),
            Some("Showing your challenges only (2 chosen).")
        );
        assert!(mine.offers_all());
    }
}
