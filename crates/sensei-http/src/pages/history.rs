//! `GET /admin/history`: completed and cancelled sessions, newest first, for instructors,
//! filtered by state (`closed`, the default, `completed` or `cancelled`), student email,
//! challenge, `mine=1` (completed by me) and booking dates (`from`, `to`: `YYYY-MM-DD`,
//! both inclusive), keyset-paged with `?after=<cursor>`.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, Request, Response};
use sensei_core::{
    ChallengeId, PageRequest, SessionCursor, SessionListEntry, SessionQuery, StatusFilter,
};
use serde::Deserialize;

use super::html;
use super::layout::Nav;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::list_filters::{
    non_empty, parse_challenge, parse_cursor, parse_date, parse_flag, parse_student,
};
use crate::presentation;
use crate::state::AppState;
use crate::zone::ViewerZone;

/// One closed session.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// The session's id.
    pub id: i32,
    /// The student's email.
    pub student: String,
    /// The challenge's name.
    pub challenge: String,
    /// `Completed` or `Cancelled`.
    pub state: &'static str,
    /// The state badge's CSS modifier.
    pub state_class: &'static str,
    /// When it was booked.
    pub scheduled: String,
    /// When it was completed or cancelled.
    pub closed: String,
    /// The cancellation reason, or `—`.
    pub detail: String,
}

/// An option of the state filter.
#[derive(Debug, Clone)]
pub struct StateOption {
    /// The query value.
    pub value: &'static str,
    /// The label.
    pub label: &'static str,
    /// Whether it is the current filter.
    pub selected: bool,
}

/// The history page.
#[derive(Template)]
#[template(path = "history.html")]
pub struct HistoryPage {
    /// The header.
    pub nav: Option<Nav>,
    /// Sessions matching the filters in all.
    pub total: u64,
    /// This page.
    pub rows: Vec<HistoryRow>,
    /// The state filter's options.
    pub state_options: Vec<StateOption>,
    /// The student filter's value.
    pub student_filter: String,
    /// The challenge filter's value.
    pub challenge_filter: String,
    /// Whether "completed by me" is on.
    pub mine: bool,
    /// The from date's value.
    pub from_filter: String,
    /// The to date's value.
    pub to_filter: String,
    /// Whether any filter is set.
    pub filtered: bool,
    /// The next page, if any.
    pub next_href: Option<String>,
    /// The first page, when not on it.
    pub first_href: Option<String>,
    /// The CSV export of every session these filters show.
    pub export_href: String,
}

#[derive(Debug, Default, Deserialize)]
struct RawParams {
    state: Option<String>,
    student: Option<String>,
    challenge: Option<String>,
    mine: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Default)]
struct Params {
    state: StatusFilter,
    student: Option<String>,
    challenge: Option<ChallengeId>,
    mine: bool,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    after: Option<SessionCursor>,
}

fn parse_params(query: Option<&str>) -> Result<Params, AppError> {
    let raw: RawParams = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::bad_request("The query string is malformed."))?;
    let state = match non_empty(raw.state).as_deref() {
        None | Some("closed") => StatusFilter::Closed,
        Some("completed") => StatusFilter::Completed,
        Some("cancelled") => StatusFilter::Cancelled,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "Unknown state filter \"{other}\": use closed, completed or cancelled."
            )))
        }
    };
    let student = parse_student(raw.student)?;
    let challenge = parse_challenge(raw.challenge, "challenge")?;
    Ok(Params {
        state,
        student,
        challenge,
        mine: parse_flag(raw.mine, "mine")?,
        from: parse_date(raw.from, "from")?,
        to: parse_date(raw.to, "to")?,
        after: parse_cursor(raw.after)?,
    })
}

fn state_value(state: StatusFilter) -> &'static str {
    match state {
        StatusFilter::Completed => "completed",
        StatusFilter::Cancelled => "cancelled",
        _ => "closed",
    }
}

fn href(params: &Params, after: Option<&SessionCursor>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if params.state != StatusFilter::Closed {
        pairs.push(("state", state_value(params.state).to_owned()));
    }
    if let Some(student) = &params.student {
        pairs.push(("student", student.clone()));
    }
    if let Some(challenge) = params.challenge {
        pairs.push(("challenge", challenge.to_string()));
    }
    if params.mine {
        pairs.push(("mine", "1".to_owned()));
    }
    if let Some(from) = params.from {
        pairs.push(("from", from.to_string()));
    }
    if let Some(to) = params.to {
        pairs.push(("to", to.to_string()));
    }
    if let Some(after) = after {
        pairs.push(("after", after.encode()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(query) if !query.is_empty() => format!("/admin/history?{query}"),
        _ => "/admin/history".to_owned(),
    }
}

/// The CSV export of the sessions the history shows with these filters, every page.
fn export_href(params: &Params) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("state", state_value(params.state).to_owned())];
    if let Some(student) = &params.student {
        pairs.push(("student", student.clone()));
    }
    if let Some(challenge) = params.challenge {
        pairs.push(("challenge_id", challenge.to_string()));
    }
    if params.mine {
        pairs.push(("completed_by_me", "1".to_owned()));
    }
    if let Some(from) = params.from {
        pairs.push(("from", from.to_string()));
    }
    if let Some(to) = params.to {
        pairs.push(("to", to.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("/admin/export.csv?{query}")
}

fn start_of(date: NaiveDate) -> Option<DateTime<Utc>> {
    date.and_hms_opt(0, 0, 0).map(|at| at.and_utc())
}

fn history_row(entry: &SessionListEntry, as_of: DateTime<Utc>, zone: ViewerZone) -> HistoryRow {
    let session = &entry.session;
    let (closed, detail) = match (session.completion(), session.cancellation()) {
        (Some(done), _) => (
            zone.datetime(&done.completed_at),
            presentation::NONE.to_owned(),
        ),
        (None, Some(cancelled)) => (
            zone.datetime(&cancelled.cancelled_at),
            cancelled
                .reason
                .as_ref()
                .map_or_else(|| presentation::NONE.to_owned(), |r| r.as_str().to_owned()),
        ),
        (None, None) => (presentation::NONE.to_owned(), presentation::NONE.to_owned()),
    };
    let state = session.state_at(as_of);
    HistoryRow {
        id: session.id.get(),
        student: entry.student_email.clone(),
        challenge: entry.challenge_name.clone(),
        state: presentation::state_label(state),
        state_class: presentation::state_class(state),
        scheduled: zone.datetime(&session.scheduled_at),
        closed,
        detail,
    }
}

/// `GET /admin/history`: instructors only (students 403, anonymous 303 to `/login`); 400 for
/// unknown filters, malformed dates or a malformed cursor.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    req: &Request,
) -> Result<Response, AppError> {
    let params = parse_params(req.uri().query())?;
    let filters = SessionQuery {
        status: params.state,
        challenge_id: params.challenge,
        student_email_contains: params.student.clone(),
        completed_by: params.mine.then_some(viewer.account.id),
        scheduled_from: params.from.and_then(start_of),
        scheduled_before: params.to.and_then(|to| to.succ_opt()).and_then(start_of),
        ..SessionQuery::default()
    };
    let page = PageRequest {
        after: params.after,
        ..PageRequest::default()
    };
    let listing = state.service.history(viewer.actor(), filters, page).await?;
    let filtered = params.state != StatusFilter::Closed
        || params.student.is_some()
        || params.challenge.is_some()
        || params.mine
        || params.from.is_some()
        || params.to.is_some();
    let page = HistoryPage {
        nav: Nav::for_viewer(&viewer),
        total: listing.total,
        rows: listing
            .page
            .items
            .iter()
            .map(|entry| history_row(entry, listing.as_of, viewer.zone))
            .collect(),
        state_options: presentation::HISTORY_STATES
            .iter()
            .map(|(value, label)| StateOption {
                value,
                label,
                selected: *value == state_value(params.state),
            })
            .collect(),
        student_filter: params.student.clone().unwrap_or_default(),
        challenge_filter: params
            .challenge
            .map(|challenge| challenge.to_string())
            .unwrap_or_default(),
        mine: params.mine,
        from_filter: params.from.map(|date| date.to_string()).unwrap_or_default(),
        to_filter: params.to.map(|date| date.to_string()).unwrap_or_default(),
        filtered,
        next_href: listing
            .page
            .next
            .as_ref()
            .map(|next| href(&params, Some(next))),
        first_href: params.after.map(|_| href(&params, None)),
        export_href: export_href(&params),
    };
    html(&page, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_bad_ones_are_refused() {
        let params = parse_params(Some(
            "state=cancelled&student=ali&challenge=3&mine=1&from=2026-11-01&to=2026-11-28",
        ))
        .unwrap();
        assert_eq!(params.state, StatusFilter::Cancelled);
        assert!(params.mine);
        assert_eq!(params.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(
            href(&params, None),
            "/admin/history?state=cancelled&student=ali&challenge=3&mine=1&from=2026-11-01&to=2026-11-28"
        );
        assert_eq!(parse_params(None).unwrap().state, StatusFilter::Closed);
        for bad in [
            "state=pending",
            "from=yesterday",
            "to=2026-13-01",
            "from=99999-01-01",
            "challenge=x",
            "mine=2",
            "after=zzz",
        ] {
            assert!(parse_params(Some(bad)).is_err(), "{bad}");
        }
    }
}
