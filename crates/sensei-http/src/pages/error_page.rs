//! [`AppError`] as an HTML page: its declaration's title as the heading, the error's own
//! message as a sentence, and what the refusal is about. Nothing here decides a status, a code
//! or a title.

use askama::Template;
use poem::error::ResponseError;
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};

use super::layout::Nav;
use crate::error::{error_for_status, AppError, Audience, Detail, UNAVAILABLE_RETRY_SECS};
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
            (status == StatusCode::SERVICE_UNAVAILABLE).then_some(UNAVAILABLE_RETRY_SECS);
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

/// The page for an error.
fn error_page(error: &AppError) -> ErrorPage {
    let mut page = ErrorPage::new(
        error.status(),
        error.declaration.title(),
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

/// The page for a status poem produced itself (unknown route, wrong method, ...), from the
/// one status-to-error table.
pub fn page_for_status(status: StatusCode, message: &str) -> Response {
    error_for_status(status, message, Audience::Page).as_response()
}

/// The "not found" page for `error` with the signed-in user's header (`nav`): a 404 raised
/// by a handler keeps its own message; the router's gets the usual "no page" one.
pub fn not_found_page_with_nav(error: &poem::Error, nav: Nav) -> Response {
    let app_error = error
        .downcast_ref::<AppError>()
        .filter(|app_error| app_error.status() == StatusCode::NOT_FOUND);
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
            self.status()
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
        error_page(self).into_response_retrying(self.status(), self.retry_after)
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
