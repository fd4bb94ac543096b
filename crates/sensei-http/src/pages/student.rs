//! The student's pages: their submissions, and one submission with its goal progress and the
//! **Schedule a Sensei Session** button (or why it is not offered).

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::{Eligibility, SubmissionId};

use super::layout::Nav;
use super::{html, parse_id};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::presentation::{self, GoalRow};
use crate::state::AppState;

/// One row of the submissions list.
#[derive(Debug, Clone)]
pub struct SubmissionRow {
    /// The submission's id.
    pub id: i32,
    /// The challenge's name.
    pub challenge: String,
    /// When it was submitted.
    pub submitted: String,
    /// The latest review.
    pub review: String,
}

/// `GET /submissions`.
#[derive(Template)]
#[template(path = "submissions.html")]
pub struct SubmissionsPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The rows, newest first.
    pub rows: Vec<SubmissionRow>,
}

/// The latest booking shown on a submission page.
#[derive(Debug, Clone)]
pub struct LatestBooking {
    /// What to say about it: when it was booked and its state now.
    pub sentence: String,
    /// Whether it is still open (pending or claimed).
    pub open: bool,
    /// The holding instructor's meeting link, if they gave one.
    pub meeting_link: Option<String>,
    /// The meeting time, if they gave one.
    pub meeting_at: Option<String>,
    /// Its place in the queue and expected wait, while open.
    pub place: Option<presentation::PlaceText>,
}

/// `GET /submissions/{id}`.
#[derive(Template)]
#[template(path = "submission.html")]
pub struct SubmissionPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The submission's id.
    pub id: i32,
    /// The challenge's name.
    pub challenge: String,
    /// When it was submitted.
    pub submitted: String,
    /// The latest review.
    pub review: String,
    /// `X passed, Y engaged / Z total`.
    pub progress: String,
    /// The engagement percentage.
    pub percent: u32,
    /// The goal table's caption.
    pub goals_caption: &'static str,
    /// The goal table.
    pub goals: Vec<GoalRow>,
    /// Whether the button is offered.
    pub eligible: bool,
    /// The badge label of the reason, when eligible.
    pub reason_label: &'static str,
    /// Why not, when not eligible.
    pub unmet: Vec<String>,
    /// The latest session booked for this submission.
    pub latest: Option<LatestBooking>,
    /// The booking form's CSRF token.
    pub csrf_token: String,
}

/// `GET /submissions`: the signed-in user's submissions.
#[handler]
pub async fn list(viewer: Viewer, state: Data<&AppState>) -> Result<Response, AppError> {
    let submissions = state.service.student_submissions(viewer.actor()).await?;
    let rows = submissions
        .iter()
        .map(|submission| SubmissionRow {
            id: submission.id.get(),
            challenge: submission.challenge_name.clone(),
            submitted: viewer.zone.datetime(&submission.submitted_at),
            review: presentation::verdict(submission.latest_verdict.as_ref()),
        })
        .collect();
    html(
        &SubmissionsPage {
            nav: Nav::for_viewer(&viewer),
            rows,
        },
        StatusCode::OK,
    )
}

/// `GET /submissions/{id}`: the owner's view; someone else's is 403, unknown 404.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let id: SubmissionId = parse_id(&raw_id, "submission")?;
    let overview = state
        .service
        .submission_overview(viewer.actor(), id)
        .await?;
    let (eligible, reason_label, unmet) = match &overview.eligibility {
        Eligibility::Eligible(reason) => (true, presentation::reason_label(*reason), Vec::new()),
        Eligibility::Ineligible(why) => (
            false,
            "",
            why.unmet.iter().map(ToString::to_string).collect(),
        ),
    };
    let latest = overview.latest_session.as_ref().map(|session| {
        let state = session.state_at(overview.as_of);
        LatestBooking {
            sentence: presentation::latest_session_sentence(
                state,
                &viewer.zone.datetime(&session.scheduled_at),
            ),
            open: state.is_open(),
            meeting_link: overview
                .meeting
                .as_ref()
                .and_then(|meeting| meeting.link.as_ref())
                .map(|link| link.as_str().to_owned()),
            meeting_at: overview
                .meeting
                .as_ref()
                .and_then(|meeting| meeting.at.as_ref())
                .map(|at| viewer.zone.datetime_with_utc(at)),
            place: presentation::place_text(overview.place.as_ref()),
        }
    });
    let page = SubmissionPage {
        nav: Nav::for_viewer(&viewer),
        id: overview.submission.id.get(),
        challenge: overview.submission.challenge_name.clone(),
        submitted: viewer.zone.datetime(&overview.submission.submitted_at),
        review: presentation::verdict(overview.submission.latest_verdict.as_ref()),
        progress: presentation::progress(&overview.engagement),
        percent: overview.engagement.percent(),
        goals_caption: "Your progress on each goal of the challenge",
        goals: presentation::goal_rows(&overview.goals),
        eligible,
        reason_label,
        unmet,
        latest,
        csrf_token: viewer.csrf_token.clone(),
    };
    html(&page, StatusCode::OK)
}
