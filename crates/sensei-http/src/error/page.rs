//! [`AppError`] as an HTML page: a heading chosen by status and code, the error's own message
//! as a sentence, and what the refusal is about. Nothing here decides a status.

use askama::Template;
use poem::error::ResponseError;
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};

use super::{AppError, Detail};
use crate::pages::layout::Nav;
use crate::presentation;

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The header: `None` but on a signed-in user's "not found" page
    /// ([`not_found_page_with_nav`]), so that they can find their way on.
    pub nav: Option<Nav>,
    /// The status code.
    pub status: u16,
    /// The heading.
    pub title: String,
    /// What happened.
    pub message: String,
    /// Details, one per line.
    pub details: Vec<String>,
    /// Where "Go back" leads.
    pub back: Option<String>,
}

impl ErrorPage {
    /// A page for `status` with a message.
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            nav: None,
            status: status.as_u16(),
            title: title.into(),
            message: message.into(),
            details: Vec::new(),
            back: None,
        }
    }

    /// Renders the page with its status (and `Retry-After` for 503). Error pages may repeat
    /// what was submitted, so they are never cached.
    pub fn into_response_with(self, status: StatusCode) -> Response {
        let retry_after =
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(super::UNAVAILABLE_RETRY_SECS);
        self.into_response_retrying(status, retry_after)
    }

    /// Renders the page with its status and, when given, `Retry-After`.
    pub fn into_response_retrying(self, status: StatusCode, retry_after: Option<u64>) -> Response {
        let body = self
            .render()
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), self.message));
        let mut builder = Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store");
        if let Some(seconds) = retry_after {
            builder = builder.header(header::RETRY_AFTER, seconds.to_string());
        }
        builder.body(body)
    }
}

/// The heading of an error page.
fn title(error: &AppError) -> &'static str {
    match (error.status, error.code) {
        (_, "csrf_rejected") => "Form expired",
        (_, "ineligible") => "Not eligible for a sensei session yet",
        (_, "invalid_notes") => "Notes too long",
        (_, "invalid_credentials") => "Sign-in failed",
        (_, "rate_limited") => "Too many attempts",
        (_, "held_by_other") => "Claimed by another instructor",
        (_, "not_held") => "Not claimed by you",
        (_, "session_closed") => "Session closed",
        (_, "claim_limit") => "Too many claims",
        (_, "invalid_reason") => "Reason too long",
        (_, "too_many_open_sessions") => "Too many open sessions",
        (StatusCode::NOT_FOUND, _) => "Not found",
        (StatusCode::FORBIDDEN, _) => "Not allowed",
        (StatusCode::CONFLICT, _) => "Already done",
        (StatusCode::PAYLOAD_TOO_LARGE, _) => "Too large",
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, _) => "Unsupported form encoding",
        (StatusCode::SERVICE_UNAVAILABLE, _) => "Temporarily unavailable",
        (status, _) if status.is_server_error() => "Something went wrong",
        (StatusCode::UNPROCESSABLE_ENTITY, _) => "Request refused",
        _ => "Bad request",
    }
}

/// The page for an error.
fn error_page(error: &AppError) -> ErrorPage {
    let mut page = ErrorPage::new(
        error.status,
        title(error),
        presentation::sentence(&error.message),
    );
    page.back.clone_from(&error.back);
    match &error.detail {
        Detail::None => {}
        Detail::Ineligible(why) => {
            page.message = "No session was scheduled, because:".to_owned();
            page.details = why.unmet.iter().map(ToString::to_string).collect();
        }
        Detail::AlreadyCompleted(session) => {
            if let Some(completion) = session.completion() {
                page.details.push(format!(
                    "Completed at {}.",
                    presentation::datetime(&completion.completed_at)
                ));
                if let Some(notes) = &completion.notes {
                    page.details.push(format!("Notes: {notes}"));
                }
            }
        }
    }
    page
}

/// A page for a status poem produced itself (unknown route, wrong method, ...).
pub fn page_for_status(status: StatusCode, message: &str) -> Response {
    let error = match status {
        StatusCode::NOT_FOUND => AppError::not_found("there is no page at this address"),
        StatusCode::METHOD_NOT_ALLOWED => AppError {
            message: "this address does not accept this kind of request".to_owned(),
            ..AppError::method_not_allowed()
        },
        StatusCode::PAYLOAD_TOO_LARGE => AppError::payload_too_large(
            "the form is larger than the server accepts; nothing was saved",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::unsupported_media_type(message),
        status if status.is_server_error() => AppError::internal(message),
        _ => AppError::bad_request(message),
    };
    let mut page = error_page(&error);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        page.title = "Method not allowed".to_owned();
    }
    page.into_response_with(error.status)
}

/// The "not found" page for `error` with the signed-in user's header (`nav`): a 404 raised
/// by a handler keeps its own message; the router's gets the usual "no page" one.
pub fn not_found_page_with_nav(error: &poem::Error, nav: Nav) -> Response {
    let app_error = error
        .downcast_ref::<AppError>()
        .filter(|app_error| app_error.status == StatusCode::NOT_FOUND);
    let mut page = match app_error {
        Some(app_error) => error_page(app_error),
        None => error_page(&AppError::not_found("there is no page at this address")),
    };
    page.nav = Some(nav);
    page.into_response_with(StatusCode::NOT_FOUND)
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        if self.is_sign_in_required() {
            StatusCode::SEE_OTHER
        } else {
            self.status
        }
    }

    fn as_response(&self) -> Response {
        if self.is_sign_in_required() {
            return Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, "/login")
                .header(header::CACHE_CONTROL, "no-store")
                .finish();
        }
        error_page(self).into_response_retrying(self.status, self.retry_after)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

#[cfg(test)]
mod tests {
    use sensei_core::{BookError, Ineligibility, UnmetCondition};

    use super::*;

    #[test]
    fn sign_in_required_redirects_to_login() {
        let response = AppError::sign_in_required().as_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some("/login")
        );
    }

    #[test]
    fn an_ineligible_booking_lists_each_reason_on_the_page() {
        let error = AppError::from(BookError::Ineligible(Ineligibility {
            unmet: vec![UnmetCondition::NoNeedsWorkReview {
                latest_verdict: None,
            }],
        }));
        let page = error_page(&error);
        assert_eq!(page.title, "Not eligible for a sensei session yet");
        assert_eq!(page.details.len(), 1);
    }

    #[test]
    fn error_pages_are_never_cached() {
        let response = AppError::not_found("x").as_response();
        assert_eq!(
            response
                .headers()
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
}
