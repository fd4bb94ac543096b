//! The [`Viewer`] extractor: the signed-in user of a page request, or a redirect to `/login`.

use poem::session::Session;
use poem::{FromRequest, Request, RequestBody};
use sensei_core::Actor;

use super::csrf;
use super::session::{current_user, SessionUser};
use crate::error_pages::AppError;
use crate::state::AppState;

/// The signed-in user and the session's CSRF token (for the forms on the page).
/// Extracting it fails with [`AppError::SignInRequired`] (303 to `/login`) when nobody is
/// signed in.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who is signed in.
    pub user: SessionUser,
    /// The session's CSRF token.
    pub csrf_token: String,
}

impl Viewer {
    /// The actor the use cases run as.
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }
}

/// The session of a request (inserted by the session middleware).
///
/// # Errors
/// [`AppError::Internal`] when the session middleware is missing.
pub fn request_session(req: &Request) -> Result<&Session, AppError> {
    req.extensions()
        .get::<Session>()
        .ok_or_else(|| AppError::Internal("the session middleware is not installed".into()))
}

/// The application state of a request.
///
/// # Errors
/// [`AppError::Internal`] when the state is missing.
pub fn request_state(req: &Request) -> Result<&AppState, AppError> {
    req.data::<AppState>()
        .ok_or_else(|| AppError::Internal("the application state is not installed".into()))
}

/// The signed-in user of a request, if any: from the trusted header when that mode is on and
/// the header is present, else from the session cookie's server-side session (one
/// primary-key lookup joined to the user).
///
/// # Errors
/// [`AppError::Unavailable`] when the account or session lookup fails;
/// [`AppError::Forbidden`] when the trusted header names no known account.
pub async fn signed_in_user(req: &Request) -> Result<Option<SessionUser>, AppError> {
    let state = request_state(req)?;
    if let Some(header) = state.trusted_header() {
        if let Some(raw) = req.headers().get(header) {
            let email = raw
                .to_str()
                .map_err(|_| AppError::BadRequest("The identity header is not text.".into()))?
                .trim();
            if !email.is_empty() {
                let account = state.database.accounts().find_by_email(email).await?;
                return match account {
                    Some(account) => Ok(Some(SessionUser::from(account))),
                    None => Err(AppError::Forbidden(format!(
                        "There is no account for {email} here."
                    ))),
                };
            }
        }
    }
    current_user(state, request_session(req)?).await
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let user = signed_in_user(req).await?.ok_or(AppError::SignInRequired)?;
        let csrf_token = csrf::token(request_session(req)?)?;
        Ok(Viewer { user, csrf_token })
    }
}
