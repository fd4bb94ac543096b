//! `POST /submissions/{id}/schedule`: books a sensei session (or finds the recent one) and
//! shows the confirmation.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::services::BookingOutcome;
use sensei_core::SubmissionId;

use super::layout::Nav;
use super::{html, parse_id};
use crate::auth::{CheckedForm, NoFields, Viewer};
use crate::error::AppError;
use crate::monitoring::business;
use crate::presentation;
use crate::state::AppState;

/// The confirmation page.
#[derive(Template)]
#[template(path = "booked.html")]
pub struct BookedPage {
    /// The header.
    pub nav: Option<Nav>,
    /// Whether an existing session is shown instead of a new one.
    pub duplicate: bool,
    /// The submission.
    pub submission_id: i32,
    /// When the session was booked.
    pub scheduled: String,
    /// The reason badge's label.
    pub reason_label: String,
    /// The reason badge's CSS modifier.
    pub reason_class: &'static str,
    /// The engagement snapshot.
    pub progress: String,
    /// `Pending` or `Completed`.
    pub status: &'static str,
}

/// `POST /submissions/{id}/schedule`: 200 with the new or existing session; 403 for someone
/// else's submission, 404 unknown, 422 ineligible (with the reasons), 403 without a valid
/// CSRF token.
#[handler]
pub async fn schedule(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(_): CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    let id: SubmissionId = parse_id(&raw_id, "submission")?;
    let booking = business::booking(state.service.book(viewer.actor(), id).await)
        .map_err(|error| AppError::from(error).with_back(format!("/submissions/{id}")))?;
    let session = &booking.session;
    let page = BookedPage {
        nav: Nav::for_viewer(&viewer),
        duplicate: booking.outcome == BookingOutcome::Duplicate,
        submission_id: session.submission_id.get(),
        scheduled: viewer.zone.datetime_with_utc(&session.scheduled_at),
        reason_label: presentation::recorded_reason_label(&session.reason),
        reason_class: presentation::reason_class(&session.reason),
        progress: presentation::progress(&session.engagement),
        status: presentation::session_state_label(session, booking.as_of),
    };
    html(&page, StatusCode::OK)
}
