//! Parsing the list filters of a query string, shared by the dashboard, the history and the
//! CSV export (so below both `crate::pages` and `crate::export`): one wording for every
//! refusal, each naming the parameter as it was sent.

use chrono::{Datelike, NaiveDate};
use sensei_core::{ChallengeId, EligibilityReason, SessionCursor};

use crate::error::AppError;
use crate::presentation;

/// The trimmed value, or `None` when it is absent or blank.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// A page cursor.
pub(crate) fn parse_cursor(raw: Option<String>) -> Result<Option<SessionCursor>, AppError> {
    non_empty(raw)
        .map(|text| {
            SessionCursor::decode(&text).ok_or_else(|| {
                AppError::bad_request("The page cursor is malformed; start from the first page.")
            })
        })
        .transpose()
}

/// A yes/no filter: `1` is on; absent, empty or `0` is off; anything else is refused.
pub(crate) fn parse_flag(raw: Option<String>, name: &str) -> Result<bool, AppError> {
    match non_empty(raw).as_deref() {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(AppError::bad_request(format!(
            "The {name} filter is 1 or absent, not \"{other}\"."
        ))),
    }
}

/// An eligibility reason by its stored name.
pub(crate) fn parse_reason(raw: Option<String>) -> Result<Option<EligibilityReason>, AppError> {
    non_empty(raw)
        .map(|text| {
            text.parse::<EligibilityReason>().map_err(|_| {
                AppError::bad_request(format!(
                    "Unknown reason filter \"{text}\": use needs_work_feedback or \
                     digi_trainer_engagement."
                ))
            })
        })
        .transpose()
}

/// A challenge id, in the parameter `name`.
pub(crate) fn parse_challenge(
    raw: Option<String>,
    name: &str,
) -> Result<Option<ChallengeId>, AppError> {
    non_empty(raw)
        .map(|text| {
            text.parse::<ChallengeId>().map_err(|_| {
                AppError::bad_request(format!(
                    "The {name} filter must be a challenge id (a whole number), not \"{text}\"."
                ))
            })
        })
        .transpose()
}

/// A student email fragment, as the core limits it ([`sensei_core::student_search`]).
pub(crate) fn parse_student(raw: Option<String>) -> Result<Option<String>, AppError> {
    sensei_core::student_search(raw.as_deref())
        .map_err(|too_long| AppError::bad_request(presentation::sentence(&too_long.to_string())))
}

/// A calendar date like `2026-11-28` (years 1 to 9998, so that the day after exists), in the
/// parameter `name`.
pub(crate) fn parse_date(raw: Option<String>, name: &str) -> Result<Option<NaiveDate>, AppError> {
    non_empty(raw)
        .map(|text| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .filter(|date| (1..=9998).contains(&date.year()))
                .ok_or_else(|| {
                    AppError::bad_request(format!(
                        "The {name} date must be a date like 2026-11-28, not \"{text}\"."
                    ))
                })
        })
        .transpose()
}
