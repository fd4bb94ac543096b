//! Every failure a page can meet, and the one place where domain errors become HTTP statuses
//! and HTML pages.

use askama::Template;
use poem::error::ResponseError;
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};
use sensei_core::{BookError, CompleteError, QueryError, RepositoryError};

use crate::pages::format;
use crate::pages::layout::Nav;

/// A failure of a page request. Each variant has one status; [`ResponseError::as_response`]
/// renders it as a page (or, for [`AppError::SignInRequired`], a redirect to `/login`).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nobody is signed in: 303 to `/login`.
    #[error("sign in to continue")]
    SignInRequired,
    /// Signed in, but not allowed: 403.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing form without a valid CSRF token: 403, nothing changed.
    #[error(
        "this form could not be verified (it may have expired); reload the page and try again"
    )]
    CsrfRejected,
    /// No such record or page: 404.
    #[error("{0}")]
    NotFound(String),
    /// Malformed input (ids, filters, forms): 400.
    #[error("{0}")]
    BadRequest(String),
    /// Wrong email or password: 401.
    #[error("incorrect email or password")]
    BadCredentials,
    /// A form body over the limit: 413.
    #[error("the form is too large")]
    PayloadTooLarge,
    /// A form not sent as `application/x-www-form-urlencoded`: 415.
    #[error("forms must be sent as application/x-www-form-urlencoded")]
    UnsupportedMediaType,
    /// Valid input the rules refuse (ineligible booking, notes too long): 422.
    #[error("{message}")]
    Unprocessable {
        /// The page's heading.
        title: String,
        /// What happened.
        message: String,
        /// Each reason, one per line.
        details: Vec<String>,
        /// Where "Go back" leads.
        back: Option<String>,
    },
    /// The request conflicts with the record's state (second completion): 409.
    #[error("{message}")]
    Conflict {
        /// What happened.
        message: String,
        /// The state that was kept.
        details: Vec<String>,
        /// Where "Go back" leads.
        back: Option<String>,
    },
    /// The database cannot be reached: 503, retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A bug or corrupt data: 500 (logged, never shown in detail).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// Sets where the page's "Go back" link leads (422 and 409 pages).
    #[must_use]
    pub fn with_back(self, href: impl Into<String>) -> Self {
        match self {
            AppError::Unprocessable {
                title,
                message,
                details,
                ..
            } => AppError::Unprocessable {
                title,
                message,
                details,
                back: Some(href.into()),
            },
            AppError::Conflict {
                message, details, ..
            } => AppError::Conflict {
                message,
                details,
                back: Some(href.into()),
            },
            other => other,
        }
    }

    /// An id in a path that is not a number.
    pub fn bad_id(what: &str, raw: &str) -> Self {
        AppError::BadRequest(format!(
            "\"{raw}\" is not a valid {what} id: ids are whole numbers."
        ))
    }
}

impl From<RepositoryError> for AppError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(why) | RepositoryError::Failed(why) => {
                AppError::Unavailable(why)
            }
            RepositoryError::Corrupt(why) => AppError::Internal(why),
        }
    }
}

impl From<QueryError> for AppError {
    fn from(error: QueryError) -> Self {
        match error {
            QueryError::NotFound { resource, id } => {
                AppError::NotFound(format!("There is no {resource} with id {id}."))
            }
            QueryError::Forbidden(resource) => {
                AppError::Forbidden(format!("You do not have access to this {resource}."))
            }
            QueryError::Repository(error) => error.into(),
        }
    }
}

impl From<BookError> for AppError {
    fn from(error: BookError) -> Self {
        match error {
            BookError::NotFound(id) => {
                AppError::NotFound(format!("There is no submission with id {id}."))
            }
            BookError::Forbidden => AppError::Forbidden(
                "You can only schedule sensei sessions for your own submissions.".to_owned(),
            ),
            BookError::Ineligible(why) => AppError::Unprocessable {
                title: "Not eligible for a sensei session yet".to_owned(),
                message: "No session was scheduled, because:".to_owned(),
                details: why.unmet.iter().map(ToString::to_string).collect(),
                back: None,
            },
            BookError::Repository(error) => error.into(),
        }
    }
}

impl From<CompleteError> for AppError {
    fn from(error: CompleteError) -> Self {
        match error {
            CompleteError::NotFound(id) => {
                AppError::NotFound(format!("There is no scheduled session with id {id}."))
            }
            CompleteError::Forbidden => {
                AppError::Forbidden("Only instructors can complete sensei sessions.".to_owned())
            }
            CompleteError::AlreadyCompleted(session) => {
                let mut details = Vec::new();
                if let Some(completion) = session.completion() {
                    details.push(format!(
                        "Completed at {}.",
                        format::datetime(&completion.completed_at)
                    ));
                    if let Some(notes) = &completion.notes {
                        details.push(format!("Notes: {notes}"));
                    }
                }
                AppError::Conflict {
                    message: format!(
                        "Scheduled session {} was already completed; the first completion is kept \
                         and nothing was changed.",
                        session.id
                    ),
                    details,
                    back: None,
                }
            }
            CompleteError::InvalidNotes(why) => AppError::Unprocessable {
                title: "Notes too long".to_owned(),
                message: format!("{why}. Nothing was saved."),
                details: Vec::new(),
                back: None,
            },
            CompleteError::Repository(error) => error.into(),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Always `None`: error pages carry no forms.
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

    /// Renders the page with its status (and `Retry-After` for 503).
    pub fn into_response_with(self, status: StatusCode) -> Response {
        let body = self
            .render()
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), self.message));
        let mut builder = Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8");
        if status == StatusCode::SERVICE_UNAVAILABLE {
            builder = builder.header(header::RETRY_AFTER, "5");
        }
        builder.body(body)
    }
}

/// A generic page for a status poem produced itself (unknown route, wrong method, ...).
pub fn page_for_status(status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::BAD_REQUEST => "Bad request",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported form encoding",
        status if status.is_server_error() => "Something went wrong",
        _ => "Request refused",
    };
    let message = match status {
        StatusCode::NOT_FOUND => "There is no page at this address.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept this kind of request.".to_owned()
        }
        status if status.is_server_error() => {
            "The server could not answer this request. It has been logged.".to_owned()
        }
        _ => message.to_owned(),
    };
    ErrorPage::new(status, title, message).into_response_with(status)
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::SignInRequired => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        let status = self.status();
        let page = match self {
            AppError::SignInRequired => {
                return Response::builder()
                    .status(StatusCode::SEE_OTHER)
                    .header(header::LOCATION, "/login")
                    .finish();
            }
            AppError::Forbidden(message) => ErrorPage::new(status, "Not allowed", message),
            AppError::CsrfRejected => ErrorPage::new(status, "Form expired", self.to_string()),
            AppError::NotFound(message) => ErrorPage::new(status, "Not found", message),
            AppError::BadRequest(message) => ErrorPage::new(status, "Bad request", message),
            AppError::BadCredentials => {
                ErrorPage::new(status, "Sign-in failed", "Incorrect email or password.")
            }
            AppError::PayloadTooLarge => ErrorPage::new(
                status,
                "Too large",
                "The form is larger than the server accepts; nothing was saved.",
            ),
            AppError::UnsupportedMediaType => {
                ErrorPage::new(status, "Unsupported form encoding", self.to_string())
            }
            AppError::Unprocessable {
                title,
                message,
                details,
                back,
            } => ErrorPage {
                details: details.clone(),
                back: back.clone(),
                ..ErrorPage::new(status, title.clone(), message.clone())
            },
            AppError::Conflict {
                message,
                details,
                back,
            } => ErrorPage {
                details: details.clone(),
                back: back.clone(),
                ..ErrorPage::new(status, "Already done", message.clone())
            },
            AppError::Unavailable(why) => {
                tracing::warn!(error = %why, "database unavailable");
                ErrorPage::new(
                    status,
                    "Temporarily unavailable",
                    "The database cannot be reached right now. Please try again in a moment.",
                )
            }
            AppError::Internal(why) => {
                tracing::error!(error = %why, "internal error");
                ErrorPage::new(
                    status,
                    "Something went wrong",
                    "The server could not answer this request. It has been logged.",
                )
            }
        };
        page.into_response_with(status)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sensei_core::{Ineligibility, UnmetCondition};

    #[test]
    fn domain_errors_map_to_their_statuses() {
        let ineligible = BookError::Ineligible(Ineligibility {
            unmet: vec![UnmetCondition::NoNeedsWorkReview {
                latest_verdict: None,
            }],
        });
        assert_eq!(
            AppError::from(ineligible).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            AppError::from(BookError::Forbidden).status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            AppError::from(RepositoryError::Unavailable("down".into())).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            AppError::from(QueryError::NotFound {
                resource: sensei_core::Resource::Submission,
                id: 9
            })
            .status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn sign_in_required_redirects_to_login() {
        let response = AppError::SignInRequired.as_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some("/login")
        );
    }
}
