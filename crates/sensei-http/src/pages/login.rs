//! Signing in and out.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::Data;
use poem::{handler, Request, Response};
use serde::Deserialize;

use super::layout::Nav;
use super::{html, see_other};
use crate::auth::sign_in::{sign_in, sign_out};
use crate::auth::viewer::{client_ip, signed_in_account};
use crate::auth::{csrf, CheckedForm, NoFields};
use crate::error::{AppError, Declaration};
use crate::state::AppState;

/// A wrong email or password: the form again, not an error page.
const INVALID_CREDENTIALS: Declaration =
    Declaration::of(&sensei_core::ErrorDeclaration::INVALID_CREDENTIALS);

/// The sign-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// No header account area.
    pub nav: Option<Nav>,
    /// The form's CSRF token.
    pub csrf_token: String,
    /// The email to prefill.
    pub email: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Whether "Forgot your password?" is offered (email is on).
    pub reset_offered: bool,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// The account's email.
    #[serde(default)]
    pub email: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

fn login_page(
    state: &AppState,
    session: &Session,
    email: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = LoginPage {
        nav: None,
        csrf_token: csrf::token(session)?,
        email: email.to_owned(),
        error: error.map(str::to_owned),
        reset_offered: state.email.is_sending(),
    };
    html(&page, status)
}

/// `GET /login`: the form (signed-in users go to `/`).
#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    session: &Session,
) -> Result<Response, AppError> {
    if signed_in_account(req).await?.is_some() {
        return Ok(see_other("/"));
    }
    login_page(&state, session, "", None, StatusCode::OK)
}

/// `POST /login`: checks the password (the core's sign-in) and starts a new sign-in; 400 for missing fields, 401 for wrong credentials.
#[handler]
pub async fn submit(
    req: &Request,
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim();
    if email.is_empty() || form.password.is_empty() {
        return login_page(
            &state,
            session,
            email,
            Some("Enter your email and your password."),
            StatusCode::BAD_REQUEST,
        );
    }
    match sign_in(&state, session, client_ip(req), email, form.password).await {
        Ok(_) => Ok(see_other("/")),
        Err(error) if error.declaration == INVALID_CREDENTIALS => login_page(
            &state,
            session,
            email,
            Some("Incorrect email or password."),
            StatusCode::UNAUTHORIZED,
        ),
        Err(error) => Err(error),
    }
}

/// `POST /logout`: ends the session (its database row and the cookie) and goes to `/login`.
#[handler]
pub async fn logout(
    state: Data<&AppState>,
    session: &Session,
    CheckedForm(_): CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    sign_out(&state, session).await?;
    Ok(see_other("/login"))
}
