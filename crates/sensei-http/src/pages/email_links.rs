//! The pages the links in emails open: stop session emails (`/unsubscribe/{secret}`: GET shows
//! a confirmation form, because mail scanners follow links; POST records the opt-out, also
//! as RFC 8058 one-click from mail clients, authorised by the secret alone) and the password
//! reset (`/password-reset`: ask for a link, the same answer whether or not the account
//! exists; `/password-reset/{secret}`: set a new password once, within 30 minutes).

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::{Data, Path};
use poem::{handler, Request, Response};
use sensei_core::{EmailLinkError, MIN_PASSWORD_CHARS};
use serde::Deserialize;

use super::html;
use super::layout::Nav;
use crate::auth::viewer::client_ip;
use crate::auth::{csrf, CheckedForm};
use crate::error::AppError;
use crate::state::AppState;

/// Which form the page shows.
pub enum Form {
    /// Confirm the opt-out.
    Unsubscribe(String),
    /// Ask for a reset link.
    RequestReset,
    /// Choose a new password.
    NewPassword(String),
    /// None.
    None,
}

/// The page of an email link.
#[derive(Template)]
#[template(path = "email_link.html")]
pub struct EmailLinkPage {
    /// No header account area.
    pub nav: Option<Nav>,
    /// The heading.
    pub title: &'static str,
    /// What happened or what to do.
    pub message: Vec<&'static str>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The form.
    pub form: Form,
    /// The form's CSRF token.
    pub csrf_token: String,
    /// The shortest password accepted.
    pub min_chars: usize,
}

fn page(
    session: &Session,
    title: &'static str,
    message: Vec<&'static str>,
    form: Form,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = EmailLinkPage {
        nav: None,
        title,
        message,
        error,
        form,
        csrf_token: csrf::token(session)?,
        min_chars: MIN_PASSWORD_CHARS,
    };
    html(&page, status)
}

/// An email-link error as the page's message; store failures stay errors.
fn refusal(error: EmailLinkError) -> Result<String, AppError> {
    match error {
        EmailLinkError::Repository(error) => Err(AppError::from(error)),
        other => Ok(other.to_string()),
    }
}

/// `GET /unsubscribe/{secret}`: asks to confirm (nothing changes on a GET).
#[handler]
pub async fn unsubscribe_form(
    session: &Session,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let secret: String = secret.chars().filter(char::is_ascii_hexdigit).collect();
    page(
        session,
        "Stop emails about your sessions?",
        vec!["You will get no more emails about your sensei sessions (password-reset links you ask for still arrive)."],
        Form::Unsubscribe(secret),
        None,
        StatusCode::OK,
    )
}

/// `POST /unsubscribe/{secret}`: records the opt-out; 404 for an unknown link.
#[handler]
pub async fn unsubscribe(
    session: &Session,
    state: Data<&AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    match state.email.opt_out(&secret).await {
        Ok(()) => page(
            session,
            "You will get no more session emails",
            vec!["Your choice is saved. Your sessions and their notes stay on your sessions page."],
            Form::None,
            None,
            StatusCode::OK,
        ),
        Err(error) => {
            let message = refusal(error)?;
            page(
                session,
                "Unknown link",
                Vec::new(),
                Form::None,
                Some(message),
                StatusCode::NOT_FOUND,
            )
        }
    }
}

/// `GET /password-reset`: the form asking for a link (404 when email is off).
#[handler]
pub async fn request_form(session: &Session, state: Data<&AppState>) -> Result<Response, AppError> {
    if !state.email.is_sending() {
        return Err(AppError::from_domain(&EmailLinkError::Off));
    }
    page(
        session,
        "Forgot your password?",
        vec!["Enter your account's email: we will send you a link to choose a new password."],
        Form::RequestReset,
        None,
        StatusCode::OK,
    )
}

/// The reset request form's fields.
#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    /// The account's email.
    #[serde(default)]
    pub email: String,
}

/// `POST /password-reset`: asks for a link; the same page whether or not the account exists.
/// Each request spends the sign-in failure budget of the address and the account (429 when
/// spent), so it cannot be used to flood a mailbox.
#[handler]
pub async fn request(
    req: &Request,
    session: &Session,
    state: Data<&AppState>,
    CheckedForm(form): CheckedForm<ResetRequestForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim();
    // Spent, never given back (the credit is dropped): a request costs like a failed
    // sign-in.
    let _spent = state
        .security
        .sign_in_throttle
        .take(email, client_ip(req))?;
    if let Err(error) = state.email.request_reset(email).await {
        return Err(AppError::from_domain(&error));
    }
    page(
        session,
        "Check your email",
        vec![
            "If an account uses that address, a link to choose a new password is on its way.",
            "The link works once, for 30 minutes.",
        ],
        Form::None,
        None,
        StatusCode::OK,
    )
}

/// `GET /password-reset/{secret}`: the new-password form, or why the link does not work.
#[handler]
pub async fn new_password_form(
    session: &Session,
    state: Data<&AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    match state.email.check_reset(&secret).await {
        Ok(_) => page(
            session,
            "Choose a new password",
            Vec::new(),
            Form::NewPassword(secret.chars().filter(char::is_ascii_hexdigit).collect()),
            None,
            StatusCode::OK,
        ),
        Err(error) => {
            let message = refusal(error)?;
            page(
                session,
                "This link does not work",
                Vec::new(),
                Form::None,
                Some(message),
                StatusCode::NOT_FOUND,
            )
        }
    }
}

/// The new-password form's fields.
#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    /// The new password.
    #[serde(default)]
    pub password: String,
}

/// `POST /password-reset/{secret}`: sets the new password (hashed like `sensei user
/// set-password`, in `--password-format`) and ends the account's sign-ins.
#[handler]
pub async fn set_password(
    session: &Session,
    state: Data<&AppState>,
    Path(secret): Path<String>,
    CheckedForm(form): CheckedForm<NewPasswordForm>,
) -> Result<Response, AppError> {
    let Some(hasher) = state.password_hasher.as_deref() else {
        return Err(AppError::from_domain(&EmailLinkError::Off));
    };
    let format = state.password_format;
    let token: String = secret.chars().filter(char::is_ascii_hexdigit).collect();
    match state
        .email
        .reset_password(&secret, form.password, hasher, format)
        .await
    {
        Ok(()) => page(
            session,
            "Your password is changed",
            vec!["Sign in with your new password. Every earlier sign-in of the account has ended."],
            Form::None,
            None,
            StatusCode::OK,
        ),
        Err(EmailLinkError::Password(error)) => page(
            session,
            "Choose a new password",
            Vec::new(),
            Form::NewPassword(token),
            Some(format!("{error}; the password was not changed")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => {
            let message = refusal(error)?;
            page(
                session,
                "This link does not work",
                Vec::new(),
                Form::None,
                Some(message),
                StatusCode::NOT_FOUND,
            )
        }
    }
}
