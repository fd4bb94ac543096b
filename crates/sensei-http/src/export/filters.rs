//! The export's filters from a query string: every filter of the dashboard and the history,
//! under the names docs/integrations.md documents and, where the API's list spells one
//! differently, that spelling too (so `Accept: text/csv` works on the list's own address).
//!
//! | parameter | meaning |
//! |---|---|
//! | `state` (or `status`) | `all` (default), `pending`, `claimed`, `open`, `completed`, `cancelled`, `closed` |
//! | `reason` | `needs_work_feedback` or `digi_trainer_engagement` |
//! | `challenge_id` (or `challenge`) | a challenge id |
//! | `student` | students whose email contains this text (case-insensitive) |
//! | `from`, `to` | booking dates `YYYY-MM-DD`, both inclusive (UTC) |
//! | `claimed_by_me`, `completed_by_me` | `1`/`true` to keep only sessions the viewer holds (claimed, live or lapsed) or completed |
//!
//! The list's `limit` and `after` are accepted and ignored: an export is always every
//! matching session.

use chrono::{DateTime, NaiveDate, Utc};
use sensei_core::{SessionQuery, StatusFilter, UserId};
use serde::Deserialize;

use crate::error::AppError;
use crate::list_filters::{non_empty, parse_challenge, parse_date, parse_reason, parse_student};

#[derive(Debug, Default, Deserialize)]
struct RawFilters {
    state: Option<String>,
    status: Option<String>,
    reason: Option<String>,
    challenge_id: Option<String>,
    challenge: Option<String>,
    student: Option<String>,
    from: Option<String>,
    to: Option<String>,
    claimed_by_me: Option<String>,
    completed_by_me: Option<String>,
}

/// One value from two spellings of a parameter; both given and different is refused.
fn either(
    first: Option<String>,
    second: Option<String>,
    names: (&str, &str),
) -> Result<Option<String>, AppError> {
    match (non_empty(first), non_empty(second)) {
        (Some(a), Some(b)) if a != b => Err(AppError::bad_request(format!(
            "the parameters {} and {} name the same filter; give one of them",
            names.0, names.1
        ))),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

fn parse_state(raw: Option<String>) -> Result<StatusFilter, AppError> {
    Ok(match raw.as_deref() {
        None | Some("all") => StatusFilter::All,
        Some("pending") => StatusFilter::Pending,
        Some("claimed") => StatusFilter::Claimed,
        Some("open") => StatusFilter::Open,
        Some("completed") => StatusFilter::Completed,
        Some("cancelled") => StatusFilter::Cancelled,
        Some("closed") => StatusFilter::Closed,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "unknown state \"{other}\": use all, pending, claimed, open, completed, \
                 cancelled or closed"
            )))
        }
    })
}

fn parse_flag(raw: Option<String>, name: &str) -> Result<bool, AppError> {
    match non_empty(raw).as_deref() {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(AppError::bad_request(format!(
            "the {name} filter is 1 or true to filter, 0, false or absent not to, not \"{other}\""
        ))),
    }
}

fn start_of(date: NaiveDate) -> Option<DateTime<Utc>> {
    date.and_hms_opt(0, 0, 0).map(|at| at.and_utc())
}

/// The filters in `query` (the raw query string), for the viewer `me`.
///
/// # Errors
/// [`AppError::bad_request`] naming the parameter for an unknown state or reason, a
/// challenge that is not a number, an overlong student filter, a malformed date or flag,
/// or two spellings of one filter that disagree.
pub fn parse_filters(query: Option<&str>, me: UserId) -> Result<SessionQuery, AppError> {
    let raw: RawFilters = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::bad_request("the query string is malformed"))?;
    let state = parse_state(either(raw.state, raw.status, ("state", "status"))?)?;
    let reason = parse_reason(raw.reason)?;
    let challenge_id = parse_challenge(
        either(
            raw.challenge_id,
            raw.challenge,
            ("challenge_id", "challenge"),
        )?,
        "challenge_id",
    )?;
    let student = parse_student(raw.student)?;
    let from = parse_date(raw.from, "from")?;
    let to = parse_date(raw.to, "to")?;
    Ok(SessionQuery {
        status: state,
        reason,
        challenge_id,
        student_email_contains: student,
        claimed_by: parse_flag(raw.claimed_by_me, "claimed_by_me")?.then_some(me),
        completed_by: parse_flag(raw.completed_by_me, "completed_by_me")?.then_some(me),
        scheduled_from: from.and_then(start_of),
        scheduled_before: to.and_then(|to| to.succ_opt()).and_then(start_of),
        ..SessionQuery::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sensei_core::{ChallengeId, EligibilityReason};

    const ME: UserId = UserId(9);

    #[test]
    fn no_filters_export_every_session() {
        let query = parse_filters(None, ME).unwrap();
        assert_eq!(
            query,
            SessionQuery {
                status: StatusFilter::All,
                ..SessionQuery::default()
            }
        );
    }

    #[test]
    fn every_filter_is_read() {
        let query = parse_filters(
            Some(
                "state=completed&reason=needs_work_feedback&challenge_id=3&student=Ali\
                 &from=2026-11-01&to=2026-11-28&claimed_by_me=1&completed_by_me=true\
                 &limit=5&after=x",
            ),
            ME,
        )
        .unwrap();
        assert_eq!(query.status, StatusFilter::Completed);
        assert_eq!(query.reason, Some(EligibilityReason::NeedsWorkFeedback));
        assert_eq!(query.challenge_id, Some(ChallengeId(3)));
        assert_eq!(query.student_email_contains.as_deref(), Some("Ali"));
        assert_eq!(query.claimed_by, Some(ME));
        assert_eq!(query.completed_by, Some(ME));
        assert_eq!(
            query.scheduled_from.map(|at| at.to_rfc3339()),
            Some("2026-11-01T00:00:00+00:00".to_owned())
        );
        // `to` is inclusive: everything before the next midnight.
        assert_eq!(
            query.scheduled_before.map(|at| at.to_rfc3339()),
            Some("2026-11-29T00:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn the_apis_spellings_work_and_must_agree_with_the_others() {
        let query = parse_filters(Some("status=open&challenge=4"), ME).unwrap();
        assert_eq!(query.status, StatusFilter::Open);
        assert_eq!(query.challenge_id, Some(ChallengeId(4)));
        assert!(parse_filters(Some("status=open&state=open"), ME).is_ok());
        assert!(parse_filters(Some("status=open&state=closed"), ME).is_err());
        assert!(parse_filters(Some("challenge=1&challenge_id=2"), ME).is_err());
    }

    #[test]
    fn bad_values_are_refused_naming_the_parameter() {
        for (raw, name) in [
            ("state=bogus", "state"),
            ("reason=bogus", "reason"),
            ("challenge_id=abc", "challenge_id"),
            ("from=2026-13-01", "from"),
            ("to=yesterday", "to"),
            ("claimed_by_me=yes", "claimed_by_me"),
            ("completed_by_me=2", "completed_by_me"),
        ] {
            let error = parse_filters(Some(raw), ME).unwrap_err();
            assert_eq!(error.code(), "bad_request");
            assert!(error.message.contains(name), "{raw}: {}", error.message);
        }
        let long = format!(
            "student={}",
            "a".repeat(sensei_core::MAX_STUDENT_SEARCH_CHARS + 1)
        );
        assert!(parse_filters(Some(&long), ME).is_err());
    }
}
