//! The instructor's desk: who is on duty (presence) and the challenges each instructor mentors
//! ("my challenges"). Pure rules and the records they speak of; the `Desk` service applies
//! them over its port.

use chrono::{DateTime, Duration, Utc};

use super::ids::{ChallengeId, ScheduledSessionId, UserId};

/// An instructor counts as on duty this long after their last page load, API call or open
/// stream.
pub const PRESENCE_WINDOW: Duration = Duration::minutes(5);

/// At most one presence write per instructor in this long: activity within it is already
/// covered by the last write, since the window is five times as long.
pub const PRESENCE_WRITE_INTERVAL: Duration = Duration::minutes(1);

/// At most this many challenges are offered on the "my challenges" form (and accepted in
/// one choice): the form is one page, and the dashboard's filter one `IN` list.
pub const MAX_CHALLENGE_CHOICES: usize = 500;

/// Whether a presence write is due at `now`, given when this process last wrote one for the
/// instructor (`None`: never). Due when a full [`PRESENCE_WRITE_INTERVAL`] has passed, and
/// also when the clock went back (a stale memo must not silence an instructor for long).
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use sensei_core::presence_write_due;
/// let at = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
/// assert!(presence_write_due(None, at));
/// assert!(!presence_write_due(Some(at), at + Duration::seconds(59)));
/// assert!(presence_write_due(Some(at), at + Duration::seconds(60)));
/// ```
pub fn presence_write_due(last_written: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last_written {
        None => true,
        Some(last) => now < last || now - last >= PRESENCE_WRITE_INTERVAL,
    }
}

/// The earliest last-seen instant that still counts as on duty at `now` (inclusive: seen
/// exactly five minutes ago is still on duty).
pub fn on_duty_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - PRESENCE_WINDOW
}

/// Whether an instructor last seen at `last_seen` is on duty at `now`.
pub fn is_on_duty(last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    last_seen >= on_duty_since(now)
}

/// A session an on-duty instructor holds (a live claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldByOnDuty {
    /// The session.
    pub id: ScheduledSessionId,
    /// Its challenge's name.
    pub challenge_name: String,
}

/// An instructor active in the last [`PRESENCE_WINDOW`], and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDuty {
    /// The instructor.
    pub user_id: UserId,
    /// Their email.
    pub email: String,
    /// When they were last seen (to the minute: see [`PRESENCE_WRITE_INTERVAL`]).
    pub last_seen: DateTime<Utc>,
    /// The sessions they hold, oldest booking first.
    pub holds: Vec<HeldByOnDuty>,
}

/// A challenge on the "my challenges" form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeChoice {
    /// The challenge.
    pub id: ChallengeId,
    /// Its name.
    pub name: String,
    /// Whether the instructor chose it.
    pub chosen: bool,
}

/// The challenge ids a form sent, each once, in ascending order, or the first id that is
/// not among `offered` (the form offers every challenge, so an unknown id was typed or
/// stale).
///
/// # Errors
/// The first unknown id.
pub fn checked_choice(
    sent: &[ChallengeId],
    offered: &[ChallengeChoice],
) -> Result<Vec<ChallengeId>, ChallengeId> {
    let mut chosen = Vec::with_capacity(sent.len());
    for id in sent {
        if !offered.iter().any(|choice| choice.id == *id) {
            return Err(*id);
        }
        chosen.push(*id);
    }
    chosen.sort_unstable_by_key(|id| id.get());
    chosen.dedup();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, minute, second)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_write_is_due_once_a_minute_and_when_the_clock_went_back() {
        assert!(presence_write_due(None, at(0, 0)));
        assert!(!presence_write_due(Some(at(0, 0)), at(0, 0)));
        assert!(!presence_write_due(Some(at(0, 0)), at(0, 59)));
        assert!(presence_write_due(Some(at(0, 0)), at(1, 0)));
        assert!(presence_write_due(Some(at(1, 0)), at(0, 30)));
    }

    #[test]
    fn on_duty_means_seen_in_the_last_five_minutes_inclusive() {
        let now = at(10, 0);
        assert_eq!(on_duty_since(now), at(5, 0));
        assert!(is_on_duty(at(5, 0), now));
        assert!(!is_on_duty(at(4, 59), now));
        assert!(is_on_duty(at(10, 0), now));
    }

    fn offered() -> Vec<ChallengeChoice> {
        [3, 5]
            .into_iter()
            .map(|id| ChallengeChoice {
                id: ChallengeId(id),
                name: format!("challenge {id}"),
                chosen: false,
            })
            .collect()
    }

    #[test]
    fn a_choice_is_sorted_and_deduplicated() {
        let sent = [ChallengeId(5), ChallengeId(3), ChallengeId(5)];
        assert_eq!(
            checked_choice(&sent, &offered()),
            Ok(vec![ChallengeId(3), ChallengeId(5)])
        );
        assert_eq!(checked_choice(&[], &offered()), Ok(vec![]));
    }

    #[test]
    fn a_choice_naming_an_unknown_challenge_names_it() {
        let sent = [ChallengeId(3), ChallengeId(9)];
        assert_eq!(checked_choice(&sent, &offered()), Err(ChallengeId(9)));
    }
}
