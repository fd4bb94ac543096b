//! Arguments from Python, checked: counts, ids, durations, page requests. Anything out of
//! range is `InvalidInput` (a `ValueError`); a wrong type is Python's own `TypeError`.

use chrono::TimeDelta;
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use sensei_core::{PageRequest, PageSize, SessionCursor, StatusFilter, UserId, MAX_PAGE_SIZE};

use crate::errors::{invalid_input, raise};

/// Every status filter, to parse the `status` argument.
const STATUS_FILTERS: [StatusFilter; 7] = [
    StatusFilter::Pending,
    StatusFilter::Claimed,
    StatusFilter::Open,
    StatusFilter::Completed,
    StatusFilter::Cancelled,
    StatusFilter::Closed,
    StatusFilter::All,
];

/// An integer argument, or `None` when it does not fit in an `i64` (a wrong type is a
/// `TypeError`).
fn integer(value: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    match value.extract::<i64>() {
        Ok(number) => Ok(Some(number)),
        Err(error) if error.is_instance_of::<PyOverflowError>(value.py()) => Ok(None),
        Err(error) => Err(error),
    }
}

/// A count of goals: a whole number from 0 to 2^32 - 1.
pub fn count(value: &Bound<'_, PyAny>, name: &str) -> PyResult<u32> {
    integer(value)?
        .and_then(|number| u32::try_from(number).ok())
        .ok_or_else(|| {
            invalid_input(format!(
                "{name} must be a whole number from 0 to {}, got {value}",
                u32::MAX
            ))
        })
}

/// A record id. Ids outside the database's range name no record: `None`.
pub fn id(value: &Bound<'_, PyAny>) -> PyResult<Option<i32>> {
    Ok(integer(value)?.and_then(|number| i32::try_from(number).ok()))
}

/// A policy number from 1 to `max`.
pub fn bounded(value: &Bound<'_, PyAny>, name: &str, max: u32) -> PyResult<u32> {
    integer(value)?
        .and_then(|number| u32::try_from(number).ok())
        .filter(|number| (1..=max).contains(number))
        .ok_or_else(|| invalid_input(format!("{name} must be from 1 to {max}, got {value}")))
}

/// A `datetime.timedelta` argument.
pub fn duration(value: &Bound<'_, PyAny>, name: &str) -> PyResult<TimeDelta> {
    value.extract::<TimeDelta>().map_err(|_| {
        invalid_input(format!(
            "{name} must be a datetime.timedelta, got {}",
            value
                .get_type()
                .name()
                .map_or_else(|_| "another type".to_owned(), |n| n.to_string())
        ))
    })
}

/// A page request from `limit` and `after` (the `next_cursor` of the previous page).
pub fn page(limit: &Bound<'_, PyAny>, after: Option<&str>) -> PyResult<PageRequest> {
    let size = integer(limit)?
        .and_then(|number| u32::try_from(number).ok())
        .and_then(PageSize::new)
        .ok_or_else(|| {
            invalid_input(format!(
                "limit must be from 1 to {MAX_PAGE_SIZE}, got {limit}"
            ))
        })?;
    let after = match after {
        None => None,
        Some(raw) => Some(SessionCursor::decode(raw).ok_or_else(|| {
            invalid_input("after is not a cursor: pass the next_cursor of the previous page")
        })?),
    };
    Ok(PageRequest { size, after })
}

/// A record id (submission or session) from Python, or `NotFound` when it cannot exist.
pub(crate) fn record_id(value: &Bound<'_, PyAny>, what: &str) -> PyResult<i32> {
    id(value)?.ok_or_else(|| {
        raise(
            "NotFound",
            format!("{what} {value} does not exist"),
            "not_found",
        )
    })
}

/// A user id from Python.
pub(crate) fn user_id(value: &Bound<'_, PyAny>, name: &str) -> PyResult<UserId> {
    id(value)?
        .map(UserId)
        .ok_or_else(|| invalid_input(format!("{name} {value} is not a user id")))
}

/// A status filter by name.
pub(crate) fn status_filter(raw: &str) -> PyResult<StatusFilter> {
    STATUS_FILTERS
        .into_iter()
        .find(|filter| filter.as_str() == raw)
        .ok_or_else(|| {
            invalid_input(format!(
                "status must be one of pending, claimed, open, completed, cancelled, closed, \
                 all; got {raw:?}"
            ))
        })
}
