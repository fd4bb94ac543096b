//! The instructor's session page and its completion form.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::{ScheduledSessionId, MAX_NOTES_CHARS};
use serde::Deserialize;

use super::format::{self, GoalRow};
use super::layout::Nav;
use super::{html, parse_id, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error_pages::AppError;
use crate::state::AppState;

/// A message preview.
#[derive(Debug, Clone)]
pub struct MessageView {
    /// Who wrote it.
    pub role: String,
    /// The (shortened) text.
    pub content: String,
    /// When.
    pub time: String,
}

/// A digi-trainer session with previews.
#[derive(Debug, Clone)]
pub struct AgentView {
    /// The goal it was about, or a generic title.
    pub title: String,
    /// When it started.
    pub started: String,
    /// Messages in all.
    pub message_count: u32,
    /// The first messages.
    pub messages: Vec<MessageView>,
}

/// A completed session's completion.
#[derive(Debug, Clone)]
pub struct CompletionView {
    /// When.
    pub at: String,
    /// The notes, if any.
    pub notes: Option<String>,
}

/// `GET /admin/scheduled-sessions/{id}`.
#[derive(Template)]
#[template(path = "session_detail.html")]
pub struct DetailPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The session's id.
    pub id: i32,
    /// The student's email.
    pub student: String,
    /// The challenge's name.
    pub challenge: String,
    /// The submission's id.
    pub submission_id: i32,
    /// When the submission was made.
    pub submitted: Option<String>,
    /// When the session was booked.
    pub scheduled: String,
    /// The badge label.
    pub reason_label: String,
    /// The badge's CSS modifier.
    pub reason_class: &'static str,
    /// `Pending` or `Completed`.
    pub status: &'static str,
    /// Engagement at booking time.
    pub snapshot: String,
    /// Its percentage.
    pub snapshot_percent: u32,
    /// Engagement now.
    pub current: String,
    /// Its percentage.
    pub current_percent: u32,
    /// The goal table's caption.
    pub goals_caption: &'static str,
    /// Current goal progress.
    pub goals: Vec<GoalRow>,
    /// Digi-trainer sessions with previews.
    pub agent_sessions: Vec<AgentView>,
    /// The completion, when done.
    pub completion: Option<CompletionView>,
    /// The completion form's CSRF token.
    pub csrf_token: String,
    /// The notes limit.
    pub notes_max: usize,
}

/// `GET /admin/scheduled-sessions/{id}`: instructors only; 404 unknown, 400 non-numeric.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(&raw_id, "scheduled session")?;
    let detail = state.service.session_detail(viewer.actor(), id).await?;
    let session = &detail.entry.session;
    let agent_sessions = detail
        .agent_sessions
        .iter()
        .map(|agent| AgentView {
            title: agent
                .goal_title
                .clone()
                .map(|goal| format!("Digi-trainer session on \"{goal}\""))
                .unwrap_or_else(|| "Digi-trainer session".to_owned()),
            started: format::datetime(&agent.started_at),
            message_count: agent.message_count,
            messages: agent
                .messages
                .iter()
                .map(|message| MessageView {
                    role: message.role.label().to_owned(),
                    content: message.content.clone(),
                    time: format::datetime(&message.created_at),
                })
                .collect(),
        })
        .collect();
    let completion = session.completion().map(|done| CompletionView {
        at: format::datetime(&done.completed_at),
        notes: done.notes.as_ref().map(|notes| notes.as_str().to_owned()),
    });
    let page = DetailPage {
        nav: Nav::for_viewer(&viewer),
        id: session.id.get(),
        student: detail.entry.student_email.clone(),
        challenge: detail.entry.challenge_name.clone(),
        submission_id: session.submission_id.get(),
        submitted: detail
            .submission
            .as_ref()
            .map(|submission| format::datetime(&submission.submitted_at)),
        scheduled: format::datetime(&session.scheduled_at),
        reason_label: session.reason.label(),
        reason_class: format::reason_class(&session.reason),
        status: if session.is_pending() {
            "Pending"
        } else {
            "Completed"
        },
        snapshot: format::progress(&session.engagement),
        snapshot_percent: session.engagement.percent(),
        current: format::progress(&detail.current_engagement),
        current_percent: detail.current_engagement.percent(),
        goals_caption: "The student's progress on each goal now",
        goals: format::goal_rows(&detail.goals),
        agent_sessions,
        completion,
        csrf_token: viewer.csrf_token.clone(),
        notes_max: MAX_NOTES_CHARS,
    };
    html(&page, StatusCode::OK)
}

/// The completion form's fields.
#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    /// Optional notes (absent means none).
    #[serde(default)]
    pub notes: String,
}

/// `POST /admin/scheduled-sessions/{id}/complete`: 303 to `/admin`; 409 when already
/// completed (the first completion kept), 422 for notes over the limit, 404 unknown, 403 for
/// students or without a valid CSRF token.
#[handler]
pub async fn complete(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<CompleteForm>,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(&raw_id, "scheduled session")?;
    let completed = state
        .service
        .complete(viewer.actor(), id, &form.notes)
        .await
        .map_err(|error| {
            AppError::from(error).with_back(format!("/admin/scheduled-sessions/{id}"))
        })?;
    tracing::info!(session = completed.id.get(), "session completed");
    Ok(see_other("/admin"))
}
