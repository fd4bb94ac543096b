//! The student's sessions: `GET /sessions` (state, when, the notes meant for them, a cancel
//! form for open ones; never the instructors' private notes) and
//! `POST /sessions/{id}/cancel`.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use sensei_core::services::StudentSession;
use sensei_core::{PageRequest, ScheduledSessionId, MAX_CANCEL_REASON_CHARS};
use serde::Deserialize;

use super::layout::Nav;
use super::{flash, html, parse_id, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error::AppError;
use crate::list_filters::parse_cursor;
use crate::presentation;
use crate::state::AppState;
use crate::zone::ViewerZone;

/// One of the student's sessions.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The session's id.
    pub id: i32,
    /// The submission's id.
    pub submission_id: i32,
    /// The challenge's name.
    pub challenge: String,
    /// When it was booked.
    pub scheduled: String,
    /// `Pending`, `Claimed`, `Completed` or `Cancelled`.
    pub state: &'static str,
    /// The state badge's CSS modifier.
    pub state_class: &'static str,
    /// Whether it may still be cancelled.
    pub open: bool,
    /// When it was completed, if it was.
    pub completed: Option<String>,
    /// The instructor's notes for the student, if any.
    pub student_notes: Option<String>,
    /// When it was cancelled, if it was.
    pub cancelled: Option<String>,
    /// The reason given, if any.
    pub cancel_reason: Option<String>,
    /// The holding instructor's meeting link, if they gave one.
    pub meeting_link: Option<String>,
    /// The meeting time, if they gave one.
    pub meeting_at: Option<String>,
    /// Its place in the queue and expected wait, while open.
    pub place: Option<presentation::PlaceText>,
}

/// `GET /sessions`.
#[derive(Template)]
#[template(path = "my_sessions.html")]
pub struct MySessionsPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The sessions, newest first.
    pub rows: Vec<SessionRow>,
    /// The forms' CSRF token.
    pub csrf_token: String,
    /// The reason's limit.
    pub reason_max: usize,
    /// The next page, if any.
    pub next_href: Option<String>,
    /// The first page, when not on it.
    pub first_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawParams {
    after: Option<String>,
}

fn row(session: &StudentSession, zone: ViewerZone) -> SessionRow {
    SessionRow {
        id: session.id.get(),
        submission_id: session.submission_id.get(),
        challenge: session.challenge_name.clone(),
        scheduled: zone.datetime(&session.scheduled_at),
        state: presentation::state_label(session.state),
        state_class: presentation::state_class(session.state),
        open: session.state.is_open(),
        completed: session.completed_at.as_ref().map(|at| zone.datetime(at)),
        student_notes: session
            .student_notes
            .as_ref()
            .map(|notes| notes.as_str().to_owned()),
        cancelled: session.cancelled_at.as_ref().map(|at| zone.datetime(at)),
        cancel_reason: session
            .cancel_reason
            .as_ref()
            .map(|reason| reason.as_str().to_owned()),
        meeting_link: session
            .meeting
            .as_ref()
            .and_then(|meeting| meeting.link.as_ref())
            .map(|link| link.as_str().to_owned()),
        meeting_at: session
            .meeting
            .as_ref()
            .and_then(|meeting| meeting.at.as_ref())
            .map(|at| zone.datetime_with_utc(at)),
        place: presentation::place_text(session.place.as_ref()),
    }
}

/// `GET /sessions`: the signed-in student's sessions, newest first, paged with
/// `?after=<cursor>`; instructors 403, anonymous 303 to `/login`.
#[handler]
pub async fn list(
    viewer: Viewer,
    state: Data<&AppState>,
    req: &Request,
) -> Result<Response, AppError> {
    let raw: RawParams = serde_urlencoded::from_str(req.uri().query().unwrap_or_default())
        .map_err(|_| AppError::bad_request("The query string is malformed."))?;
    let after = parse_cursor(raw.after)?;
    let page = state
        .service
        .my_sessions(
            viewer.actor(),
            PageRequest {
                after,
                ..PageRequest::default()
            },
        )
        .await?
        .page;
    let page = MySessionsPage {
        nav: Nav::for_viewer(&viewer),
        rows: page
            .items
            .iter()
            .map(|item| row(item, viewer.zone))
            .collect(),
        csrf_token: viewer.csrf_token.clone(),
        reason_max: MAX_CANCEL_REASON_CHARS,
        next_href: page
            .next
            .map(|next| format!("/sessions?after={}", next.encode())),
        first_href: after.map(|_| "/sessions".to_owned()),
    };
    html(&page, StatusCode::OK)
}

/// The cancel form's fields.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    /// Optional reason (at most 500 characters).
    #[serde(default)]
    pub reason: String,
}

/// `POST /sessions/{id}/cancel` (`reason`): 303 to `/sessions`; 409 when completed or already
/// cancelled, 422 for a reason over the limit, 403 for someone else's session, instructors or
/// without a valid CSRF token, 404 unknown.
#[handler]
pub async fn cancel(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<CancelForm>,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(&raw_id, "scheduled session")?;
    crate::monitoring::business::cancellation(
        state.service.cancel(viewer.actor(), id, &form.reason).await,
    )
    .map_err(|error| AppError::from(error).with_back("/sessions"))?;
    flash::set(session, "Session cancelled.");
    Ok(see_other("/sessions"))
}
