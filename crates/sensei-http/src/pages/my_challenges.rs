//! "My challenges": `GET /admin/my-challenges` lists every challenge with a checkbox, the
//! instructor's choice ticked; `POST /admin/my-challenges` saves the ticked ones. The
//! dashboard and the live stream default to them; none ticked means every challenge.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::Data;
use poem::{handler, Response};
use sensei_core::ChallengeId;

use super::layout::Nav;
use super::{flash, html, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::desk::my_challenges;
use crate::error::AppError;
use crate::state::AppState;

/// Where the page lives.
pub const PATH: &str = "/admin/my-challenges";

/// The form field each ticked challenge is sent in (repeated).
const FIELD: &str = "challenge";

/// One checkbox.
#[derive(Debug, Clone)]
pub struct ChallengeBox {
    /// The challenge's id (the value sent).
    pub id: i32,
    /// Its name.
    pub name: String,
    /// Whether it is ticked.
    pub chosen: bool,
}

/// `GET /admin/my-challenges`.
#[derive(Template)]
#[template(path = "my_challenges.html")]
pub struct MyChallengesPage {
    /// The header.
    pub nav: Option<Nav>,
    /// Every challenge.
    pub challenges: Vec<ChallengeBox>,
    /// How many are ticked.
    pub chosen_count: usize,
    /// The form's CSRF token.
    pub csrf_token: String,
}

/// `GET /admin/my-challenges`: instructors; students 403; anonymous 303 to `/login`.
#[handler]
pub async fn show(viewer: Viewer, state: Data<&AppState>) -> Result<Response, AppError> {
    let choices = state
        .desk
        .challenge_choices(viewer.actor())
        .await
        .map_err(|error| AppError::from_domain(&error))?;
    let challenges: Vec<ChallengeBox> = choices
        .into_iter()
        .map(|choice| ChallengeBox {
            id: choice.id.get(),
            name: choice.name,
            chosen: choice.chosen,
        })
        .collect();
    let page = MyChallengesPage {
        nav: Nav::for_viewer(&viewer),
        chosen_count: challenges.iter().filter(|choice| choice.chosen).count(),
        challenges,
        csrf_token: viewer.csrf_token.clone(),
    };
    html(&page, StatusCode::OK)
}

/// The ticked challenges of a sent form.
///
/// # Errors
/// [`AppError::bad_request`] for a value that is no challenge id.
fn ticked(fields: &[(String, String)]) -> Result<Vec<ChallengeId>, AppError> {
    fields
        .iter()
        .filter(|(name, _)| name == FIELD)
        .map(|(_, value)| {
            value.trim().parse::<ChallengeId>().map_err(|_| {
                AppError::bad_request(format!(
                    "\"{}\" is not a challenge id: tick challenges from the list.",
                    value.chars().take(40).collect::<String>()
                ))
                .with_back(PATH)
            })
        })
        .collect()
}

/// `POST /admin/my-challenges` (`challenge`, repeated): 303 back with a confirmation; 400
/// for an unknown challenge (nothing saved); 403 without a valid CSRF token or for students.
#[handler]
pub async fn save(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    CheckedForm(fields): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let sent = ticked(&fields)?;
    let chosen = state
        .desk
        .choose_challenges(viewer.actor(), &sent)
        .await
        .map_err(|error| AppError::from_domain(&error).with_back(PATH))?;
    my_challenges::remember(session, viewer.account.id, &chosen);
    tracing::info!(chosen = chosen.len(), "my challenges chosen");
    let message = match chosen.len() {
        0 => "No challenges chosen: your dashboard shows every challenge.".to_owned(),
        1 => "Saved: your dashboard shows your 1 challenge first.".to_owned(),
        count => format!("Saved: your dashboard shows your {count} challenges first."),
    };
    flash::set(session, &message);
    Ok(see_other(PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn only_challenge_fields_count_and_bad_ids_are_refused() {
        let fields = [
            field("csrf_token", "x"),
            field(FIELD, "3"),
            field(FIELD, " 5 "),
        ];
        assert_eq!(
            ticked(&fields).ok(),
            Some(vec![ChallengeId(3), ChallengeId(5)])
        );
        assert!(ticked(&[field(FIELD, "three")]).is_err());
        assert_eq!(ticked(&[]).ok(), Some(vec![]));
    }
}
