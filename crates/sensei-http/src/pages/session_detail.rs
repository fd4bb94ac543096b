//! The instructor's session page: the session, its state and holder with the Claim, Renew
//! and Release buttons, the completion form (private notes and notes for the student) and
//! the event timeline; and the complete route (claim, renew and release: `claim_actions.rs`).
//! The state, holder, actions, completion and timeline are live regions (`static/live.js`).

pub use super::claim_actions::{claim, release, renew, ClaimForm};

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::{CompleteError, NotesError, ScheduledSessionId, SessionState, MAX_NOTES_CHARS};
use serde::Deserialize;

use super::layout::Nav;
use super::{flash, html, parse_id, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error::AppError;
use crate::presentation::{self, GoalRow};
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
    /// The private notes, if any.
    pub notes: Option<String>,
    /// The notes for the student, if any.
    pub student_notes: Option<String>,
}

/// A cancelled session's cancellation.
#[derive(Debug, Clone)]
pub struct CancellationView {
    /// When.
    pub at: String,
    /// The student's reason, if any.
    pub reason: Option<String>,
}

/// One event of the timeline.
#[derive(Debug, Clone)]
pub struct EventView {
    /// When.
    pub at: String,
    /// Who (email), or `—`.
    pub actor: String,
    /// What happened.
    pub kind: &'static str,
    /// `Pending → Claimed`.
    pub transition: String,
    /// A short detail, or `—`.
    pub detail: String,
}

/// `GET /admin/scheduled-sessions/{id}`.
#[derive(Template)]
#[template(path = "session_detail.html")]
pub struct DetailPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The viewer's time zone (the claim form's meeting time is read in it).
    pub zone_name: &'static str,
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
    /// `Pending`, `Claimed`, `Completed` or `Cancelled`.
    pub status: &'static str,
    /// The state badge's CSS modifier.
    pub status_class: &'static str,
    /// Who holds it and until when, or `—`.
    pub holder: String,
    /// Whether Claim is offered (open, nobody holds it).
    pub can_claim: bool,
    /// Whether Renew and Release are offered (the viewer holds it).
    pub held_by_me: bool,
    /// Whether the completion form is offered (open, and not held by someone else).
    pub can_complete: bool,
    /// Whether another instructor holds it.
    pub held_by_other: bool,
    /// Whether the student cancelled it.
    pub cancelled_note: bool,
    /// The cancellation, when cancelled.
    pub cancellation: Option<CancellationView>,
    /// The timeline, oldest first.
    pub events: Vec<EventView>,
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
    /// The notes limit (shown in the label; the server checks it, counting characters).
    pub notes_max: usize,
    /// The private notes field's label.
    pub notes_label: &'static str,
    /// The student notes field's label.
    pub student_notes_label: &'static str,
    /// The text of the completion form (what a refused completion submitted, else empty).
    pub notes_draft: String,
    /// The notes for the student a refused completion submitted, else empty.
    pub student_notes_draft: String,
    /// Why the last completion was refused, shown above the form.
    pub notes_error: Option<String>,
    /// The live stream for this session's challenge (`static/live.js` refreshes the page's
    /// regions on its events); none on a refused completion's page, which is a POST's
    /// answer and cannot be fetched again.
    pub live_stream: Option<String>,
}

/// A refused completion to show again in the form.
struct Draft {
    notes: String,
    student_notes: String,
    problem: String,
    /// 422 for notes the rules refuse (too long), 400 for malformed text (a NUL character).
    status: StatusCode,
}

/// `GET /admin/scheduled-sessions/{id}`: instructors only; 404 unknown, 400 non-numeric.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(&raw_id, "scheduled session")?;
    detail_page(&viewer, &state, id, None).await
}

/// The detail page; with a refused completion's draft, 422 with the submitted notes back in
/// the form and the reason above it.
async fn detail_page(
    viewer: &Viewer,
    state: &AppState,
    id: ScheduledSessionId,
    draft: Option<Draft>,
) -> Result<Response, AppError> {
    let detail = state.service.session_detail(viewer.actor(), id).await?;
    let zone = viewer.zone;
    let session = &detail.entry.session;
    let now = detail.as_of;
    let actions = detail.actions;
    let events = detail
        .events
        .iter()
        .map(|event| EventView {
            at: zone.datetime(&event.occurred_at),
            actor: event
                .actor_email
                .clone()
                .unwrap_or_else(|| presentation::NONE.to_owned()),
            kind: presentation::event_label(event.kind),
            transition: presentation::transition(event.from_state, event.to_state),
            detail: event
                .detail
                .clone()
                .unwrap_or_else(|| presentation::NONE.to_owned()),
        })
        .collect();
    let agent_sessions = detail
        .agent_sessions
        .iter()
        .map(|agent| AgentView {
            title: agent
                .goal_title
                .clone()
                .map(|goal| format!("Digi-trainer session on \"{goal}\""))
                .unwrap_or_else(|| "Digi-trainer session".to_owned()),
            started: zone.datetime(&agent.started_at),
            message_count: agent.message_count,
            messages: agent
                .messages
                .iter()
                .map(|message| MessageView {
                    role: presentation::message_role_label(&message.role).to_owned(),
                    content: message.content.clone(),
                    time: zone.datetime(&message.created_at),
                })
                .collect(),
        })
        .collect();
    let completion = session.completion().map(|done| CompletionView {
        at: zone.datetime(&done.completed_at),
        notes: done.notes.as_ref().map(|notes| notes.as_str().to_owned()),
        student_notes: done
            .student_notes
            .as_ref()
            .map(|notes| notes.as_str().to_owned()),
    });
    let cancellation = session.cancellation().map(|cancelled| CancellationView {
        at: zone.datetime(&cancelled.cancelled_at),
        reason: cancelled
            .reason
            .as_ref()
            .map(|reason| reason.as_str().to_owned()),
    });
    let page = DetailPage {
        nav: Nav::for_viewer(viewer),
        id: session.id.get(),
        student: detail.entry.student_email.clone(),
        challenge: detail.entry.challenge_name.clone(),
        submission_id: session.submission_id.get(),
        submitted: detail
            .submission
            .as_ref()
            .map(|submission| zone.datetime(&submission.submitted_at)),
        scheduled: zone.datetime_with_utc(&session.scheduled_at),
        reason_label: presentation::recorded_reason_label(&session.reason),
        reason_class: presentation::reason_class(&session.reason),
        status: presentation::state_label(actions.state),
        status_class: presentation::state_class(actions.state),
        holder: presentation::holder(session, detail.entry.holder_email.as_deref(), now, zone),
        can_claim: actions.claim,
        held_by_me: actions.held_by_viewer,
        can_complete: actions.complete,
        held_by_other: actions.held_by_other().is_some(),
        cancelled_note: actions.state == SessionState::Cancelled,
        cancellation,
        events,
        snapshot: presentation::progress(&session.engagement),
        snapshot_percent: session.engagement.percent(),
        current: presentation::progress(&detail.current_engagement),
        current_percent: detail.current_engagement.percent(),
        goals_caption: "The student's progress on each goal now",
        goals: presentation::goal_rows(&detail.goals),
        agent_sessions,
        completion,
        csrf_token: viewer.csrf_token.clone(),
        zone_name: zone.name(),
        notes_max: MAX_NOTES_CHARS,
        notes_label: presentation::PRIVATE_NOTES_LABEL,
        student_notes_label: presentation::STUDENT_NOTES_LABEL,
        notes_draft: draft
            .as_ref()
            .map(|draft| draft.notes.clone())
            .unwrap_or_default(),
        student_notes_draft: draft
            .as_ref()
            .map(|draft| draft.student_notes.clone())
            .unwrap_or_default(),
        notes_error: draft.as_ref().map(|draft| draft.problem.clone()),
        live_stream: draft.is_none().then(|| {
            format!(
                "{}?challenge={}",
                super::dashboard_desk::EVENTS_PATH,
                detail.entry.challenge_id
            )
        }),
    };
    let status = draft.as_ref().map_or(StatusCode::OK, |draft| draft.status);
    html(&page, status)
}

/// The completion form's fields.
#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    /// Optional private notes, for instructors only (absent means none).
    #[serde(default)]
    pub notes: String,
    /// Optional notes for the student (absent means none).
    #[serde(default)]
    pub student_notes: String,
}

/// `POST /admin/scheduled-sessions/{id}/complete` (`notes`, `student_notes`): 303 to
/// `/admin`; 409 when already completed (the first completion kept), cancelled, or claimed by
/// another instructor; 422 for notes over the limit, 404 unknown, 403 for students or without
/// a valid CSRF token.
#[handler]
pub async fn complete(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<CompleteForm>,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(&raw_id, "scheduled session")?;
    let result = state
        .service
        .complete_with_notes(viewer.actor(), id, &form.notes, &form.student_notes)
        .await;
    let completed = match crate::monitoring::business::completion(result) {
        Ok(completed) => completed,
        Err(CompleteError::InvalidNotes(why)) => {
            // The same page again, the text still in the form: the instructor loses nothing.
            let (status, fix) = match why {
                NotesError::Nul(_) => (StatusCode::BAD_REQUEST, "remove that character"),
                NotesError::TooLong { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "shorten the notes")
                }
            };
            let draft = Draft {
                notes: form.notes,
                student_notes: form.student_notes,
                problem: format!("{why}. Nothing was saved; {fix} and try again."),
                status,
            };
            return detail_page(&viewer, &state, id, Some(draft)).await;
        }
        Err(error) => {
            return Err(AppError::from(error).with_back(format!("/admin/scheduled-sessions/{id}")))
        }
    };
    flash::set(session, &format!("Session {} completed.", completed.id));
    Ok(see_other("/admin"))
}
