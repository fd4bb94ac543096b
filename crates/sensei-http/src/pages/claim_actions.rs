//! The claim, renew and release routes of the instructor's session page and dashboard; a
//! claim may carry the instructor's meeting link and time.

use poem::session::Session;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::{ClaimError, Meeting, ScheduledSession, ScheduledSessionId};
use serde::Deserialize;

use super::{flash, parse_id, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error::AppError;
use crate::state::AppState;

/// The claim, renew and release forms' fields.
#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    /// `dashboard` to come back to `/admin`; anything else (or nothing) comes back to the
    /// session's page.
    #[serde(default)]
    pub return_to: String,
    /// The meeting link the instructor gives with a claim (http or https), if any.
    #[serde(default)]
    pub meeting_link: String,
    /// The meeting time (`YYYY-MM-DDTHH:MM`, UTC), if any.
    #[serde(default)]
    pub meeting_at: String,
}

impl ClaimForm {
    /// Where the form says to go back to: only `/admin` or the session's page, never an
    /// address the form chose.
    fn back(&self, id: ScheduledSessionId) -> String {
        if self.return_to == "dashboard" {
            "/admin".to_owned()
        } else {
            format!("/admin/scheduled-sessions/{id}")
        }
    }
}

/// Which of the three claim operations.
#[derive(Debug, Clone, Copy)]
enum ClaimAction {
    Claim,
    Renew,
    Release,
}

async fn claim_action(
    viewer: &Viewer,
    session: &Session,
    state: &AppState,
    raw_id: &str,
    form: &ClaimForm,
    action: ClaimAction,
) -> Result<Response, AppError> {
    let id: ScheduledSessionId = parse_id(raw_id, "scheduled session")?;
    let back = form.back(id);
    let actor = viewer.actor();
    let (name, result): (&'static str, Result<ScheduledSession, _>) = match action {
        ClaimAction::Claim => {
            let meeting_at = viewer.zone.form_time_in_utc(&form.meeting_at);
            let result = match Meeting::parse(&form.meeting_link, &meeting_at) {
                Ok(meeting) => state.service.claim_with_meeting(actor, id, meeting).await,
                Err(error) => Err(ClaimError::from(error)),
            };
            ("claim", result)
        }
        ClaimAction::Renew => ("renew", state.service.renew_claim(actor, id).await),
        ClaimAction::Release => ("release", state.service.release_claim(actor, id).await),
    };
    let changed = crate::monitoring::business::claim(name, result)
        .map_err(|error| AppError::from(error).with_back(back.clone()))?;
    let message = match action {
        ClaimAction::Claim => flash::claimed(&changed, false, viewer.zone),
        ClaimAction::Renew => flash::claimed(&changed, true, viewer.zone),
        ClaimAction::Release => format!("Session {id} released: it is pending again."),
    };
    flash::set(session, &message);
    Ok(see_other(&back))
}

/// `POST /admin/scheduled-sessions/{id}/claim` (`return_to`): 303 back to the session's page
/// or `/admin`; 409 when another instructor holds it (naming them and the expiry) or it is
/// closed, 422 at the claim limit, 404 unknown, 403 for students or without a valid CSRF
/// token.
#[handler]
pub async fn claim(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<ClaimForm>,
) -> Result<Response, AppError> {
    claim_action(&viewer, session, &state, &raw_id, &form, ClaimAction::Claim).await
}

/// `POST /admin/scheduled-sessions/{id}/renew`: as claim; 409 when the viewer holds no live
/// claim on it.
#[handler]
pub async fn renew(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<ClaimForm>,
) -> Result<Response, AppError> {
    claim_action(&viewer, session, &state, &raw_id, &form, ClaimAction::Renew).await
}

/// `POST /admin/scheduled-sessions/{id}/release`: as renew; the session is pending again.
#[handler]
pub async fn release(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    CheckedForm(form): CheckedForm<ClaimForm>,
) -> Result<Response, AppError> {
    claim_action(
        &viewer,
        session,
        &state,
        &raw_id,
        &form,
        ClaimAction::Release,
    )
    .await
}
