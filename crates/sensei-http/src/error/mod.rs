//! Every failure a request can meet, pages and JSON API alike: [`AppError`] carries the
//! status (from the one kind-to-status table in [`status`]), the stable code, the message and
//! what the refusal is about. [`page`] renders it as HTML; `crate::api::error` as JSON. Neither
//! decides a status or writes a refusal text of its own.

pub mod page;
pub mod status;

use poem::http::StatusCode;
use sensei_core::{
    BookError, CancelError, ClaimError, CompleteError, DomainError, ErrorKind, IdentifyError,
    Ineligibility, QueryError, RepositoryError, ScheduledSession, SignInError,
};

pub use page::{not_found_page_with_nav, page_for_status, ErrorPage};
pub use status::status_for;

/// What a refusal is about, for the renderers that show more than the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// Nothing more than the message.
    None,
    /// A booking was refused: every unmet condition.
    Ineligible(Ineligibility),
    /// A completion was refused: the session as kept, with the first completion.
    AlreadyCompleted(Box<ScheduledSession>),
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable machine-readable code (the API's `code`).
    pub code: &'static str,
    /// What went wrong, for people (lowercase, no final full stop; pages make it a sentence).
    /// For internal failures this is a generic text: the cause is only logged.
    pub message: String,
    /// What the refusal is about.
    pub detail: Detail,
    /// Where a page's "Go back" link leads.
    pub back: Option<String>,
    /// Seconds after which a retry may succeed (`Retry-After`), for 429 and 503.
    pub retry_after: Option<u64>,
}

/// The message shown for internal failures, whose cause is logged, never shown.
const INTERNAL_MESSAGE: &str = "the server could not answer this request; it has been logged";

/// How long clients are told to wait after an outage (`Retry-After`).
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// The message shown for outages, whose cause is logged.
const UNAVAILABLE_MESSAGE: &str = "the database cannot be reached right now; try again in a moment";

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            detail: Detail::None,
            back: None,
            retry_after: (status == StatusCode::SERVICE_UNAVAILABLE)
                .then_some(UNAVAILABLE_RETRY_SECS),
        }
    }

    /// From a domain error: its kind gives the status, its code and message are kept. An
    /// internal failure is logged at ERROR with its cause and an outage at WARN, here, once.
    pub fn from_domain(error: &dyn DomainError) -> Self {
        let kind = error.kind();
        let message = match kind {
            ErrorKind::Internal => {
                tracing::error!(error = %error, code = error.code(), "internal error");
                INTERNAL_MESSAGE.to_owned()
            }
            ErrorKind::Unavailable => {
                tracing::warn!(error = %error, "database unavailable");
                UNAVAILABLE_MESSAGE.to_owned()
            }
            _ => error.to_string(),
        };
        Self::new(status_for(kind), error.code(), message)
    }

    /// Nobody is signed in: pages redirect (303) to `/login`, the API answers 401.
    pub fn sign_in_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: POST /api/v1/session with your email and password",
        )
    }

    /// Whether this is [`AppError::sign_in_required`].
    pub fn is_sign_in_required(&self) -> bool {
        self.code == "unauthenticated"
    }

    /// A state-changing request without a valid forgery token or marker: 403.
    pub fn csrf_rejected(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "csrf_rejected", message)
    }

    /// Malformed input (ids, filters, forms, JSON): 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// An id in a path that is not a number: 400.
    pub fn bad_id(what: &str, raw: &str) -> Self {
        Self::bad_request(format!(
            "\"{raw}\" is not a valid {what} id: ids are whole numbers"
        ))
    }

    /// No such page or API path: 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// Signed in, but not allowed: 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A body over the limit: 413.
    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    /// A body in an encoding the route does not read: 415.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    /// Too many attempts (sign-in floods): 429, with the seconds to wait.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many sign-in attempts; try again in {seconds} seconds"),
            )
        }
    }

    /// The path exists, the method does not: 405.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this path does not accept this method",
        )
    }

    /// A bug in this adapter (a missing middleware, a template that fails): 500, the cause
    /// logged at ERROR.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            INTERNAL_MESSAGE,
        )
    }

    /// Sets where the page's "Go back" link leads.
    #[must_use]
    pub fn with_back(mut self, href: impl Into<String>) -> Self {
        self.back = Some(href.into());
        self
    }
}

impl From<RepositoryError> for AppError {
    fn from(error: RepositoryError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<sensei_core::ApiTokenError> for AppError {
    fn from(error: sensei_core::ApiTokenError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<QueryError> for AppError {
    fn from(error: QueryError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<IdentifyError> for AppError {
    fn from(error: IdentifyError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<BookError> for AppError {
    fn from(error: BookError) -> Self {
        let mut app = Self::from_domain(&error);
        if let BookError::Ineligible(why) = error {
            app.detail = Detail::Ineligible(why);
        }
        app
    }
}

impl From<CompleteError> for AppError {
    fn from(error: CompleteError) -> Self {
        let mut app = Self::from_domain(&error);
        if let CompleteError::AlreadyCompleted(session) = error {
            app.detail = Detail::AlreadyCompleted(session);
        }
        app
    }
}

impl From<ClaimError> for AppError {
    fn from(error: ClaimError) -> Self {
        Self::from_domain(&error)
    }
}

impl From<CancelError> for AppError {
    fn from(error: CancelError) -> Self {
        Self::from_domain(&error)
    }
}

#[cfg(test)]
mod tests {
    use sensei_core::{Resource, UnmetCondition};

    use super::*;

    #[test]
    fn domain_errors_keep_their_code_and_take_the_status_of_their_kind() {
        let ineligible = AppError::from(BookError::Ineligible(Ineligibility {
            unmet: vec![UnmetCondition::NoNeedsWorkReview {
                latest_verdict: None,
            }],
        }));
        assert_eq!(ineligible.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ineligible.code, "ineligible");
        assert!(matches!(ineligible.detail, Detail::Ineligible(_)));
        assert_eq!(
            AppError::from(BookError::Forbidden).status,
            StatusCode::FORBIDDEN
        );
        let missing = AppError::from(QueryError::NotFound {
            resource: Resource::Submission,
            id: 9,
        });
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.message, "submission 9 does not exist");
    }

    #[test]
    fn an_outage_is_503_but_rejected_input_is_400_and_a_bug_is_a_500_without_its_cause() {
        assert_eq!(
            AppError::from(RepositoryError::Unavailable("down".into())).status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let rejected = AppError::from(RepositoryError::Rejected("FOREIGN KEY".into()));
        assert_eq!(rejected.status, StatusCode::BAD_REQUEST);
        assert_eq!(rejected.code, "invalid_input");
        let bug = AppError::from(RepositoryError::Internal("no such column: x".into()));
        assert_eq!(bug.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!bug.message.contains("no such column"));
    }
}
