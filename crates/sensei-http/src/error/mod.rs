//! Every failure a request can meet, pages and JSON API alike: [`AppError`] carries its
//! [`Declaration`] (code, status and title, declared once: the core's errors with the status
//! of their kind from the one table in [`status`], and HTTP's own), the message and what the
//! refusal is about. `crate::pages::error_page` renders it as HTML, `crate::api::error` as
//! JSON; neither decides a status, a code or a title of its own.

pub mod declaration;
pub mod status;

use poem::http::StatusCode;
use sensei_core::{
    BookError, CancelError, ClaimError, CompleteError, DomainError, ErrorDeclaration, ErrorKind,
    IdentifyError, Ineligibility, QueryError, RepositoryError, ScheduledSession, SignInError,
};

pub use declaration::Declaration;
pub use status::{error_for_status, status_for, Audience};

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
    /// What failed: the code, the status and the title.
    pub declaration: Declaration,
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

/// Nobody is signed in.
const SIGN_IN_REQUIRED: Declaration = Declaration::of(&ErrorDeclaration::UNAUTHENTICATED);

impl AppError {
    fn new(declaration: Declaration, message: impl Into<String>) -> Self {
        Self {
            declaration,
            message: message.into(),
            detail: Detail::None,
            back: None,
            retry_after: (declaration.status() == StatusCode::SERVICE_UNAVAILABLE)
                .then_some(UNAVAILABLE_RETRY_SECS),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.declaration.status()
    }

    /// The stable machine-readable code (the API's `code`).
    pub fn code(&self) -> &'static str {
        self.declaration.code()
    }

    /// From a domain error: its declaration (the status of its kind, its code and title) and
    /// its message. An internal failure is logged at ERROR with its cause and an outage at
    /// WARN, here, once.
    pub fn from_domain(error: &dyn DomainError) -> Self {
        let declaration = error.declaration();
        let message = match declaration.kind {
            ErrorKind::Internal => {
                tracing::error!(error = %error, code = declaration.code, "internal error");
                INTERNAL_MESSAGE.to_owned()
            }
            ErrorKind::Unavailable => {
                tracing::warn!(error = %error, "database unavailable");
                UNAVAILABLE_MESSAGE.to_owned()
            }
            _ => error.to_string(),
        };
        Self::new(Declaration::of(declaration), message)
    }

    /// Nobody is signed in: pages redirect (303) to `/login`, the API answers 401.
    pub fn sign_in_required() -> Self {
        Self::new(
            SIGN_IN_REQUIRED,
            "sign in first: POST /api/v1/session with your email and password",
        )
    }

    /// Whether this is [`AppError::sign_in_required`].
    pub fn is_sign_in_required(&self) -> bool {
        self.declaration == SIGN_IN_REQUIRED
    }

    /// A state-changing request without a valid forgery token or marker: 403.
    pub fn csrf_rejected(message: impl Into<String>) -> Self {
        Self::new(Declaration::CSRF_REJECTED, message)
    }

    /// Malformed input (ids, filters, forms, JSON): 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Declaration::BAD_REQUEST, message)
    }

    /// An id in a path that is not a number: 400.
    pub fn bad_id(what: &str, raw: &str) -> Self {
        Self::bad_request(format!(
            "\"{raw}\" is not a valid {what} id: ids are whole numbers"
        ))
    }

    /// No such page or API path: 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Declaration::of(&ErrorDeclaration::NOT_FOUND), message)
    }

    /// Signed in, but not allowed: 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Declaration::of(&ErrorDeclaration::FORBIDDEN), message)
    }

    /// A body over the limit: 413.
    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(Declaration::PAYLOAD_TOO_LARGE, message)
    }

    /// A body in an encoding the route does not read: 415.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(Declaration::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// Too many attempts (sign-in floods): 429, with the seconds to wait.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                Declaration::RATE_LIMITED,
                format!("too many sign-in attempts; try again in {seconds} seconds"),
            )
        }
    }

    /// The path exists, the method does not: 405.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(Declaration::METHOD_NOT_ALLOWED, message)
    }

    /// A bug in this adapter (a missing middleware, a template that fails): 500, the cause
    /// logged at ERROR.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            Declaration::of(&ErrorDeclaration::INTERNAL),
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
        assert_eq!(ineligible.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ineligible.code(), "ineligible");
        assert!(matches!(ineligible.detail, Detail::Ineligible(_)));
        assert_eq!(
            AppError::from(BookError::Forbidden).status(),
            StatusCode::FORBIDDEN
        );
        let missing = AppError::from(QueryError::NotFound {
            resource: Resource::Submission,
            id: 9,
        });
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.message, "submission 9 does not exist");
    }

    #[test]
    fn an_outage_is_503_but_rejected_input_is_400_and_a_bug_is_a_500_without_its_cause() {
        assert_eq!(
            AppError::from(RepositoryError::Unavailable("down".into())).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let rejected = AppError::from(RepositoryError::Rejected("FOREIGN KEY".into()));
        assert_eq!(rejected.status(), StatusCode::BAD_REQUEST);
        assert_eq!(rejected.code(), "invalid_input");
        let bug = AppError::from(RepositoryError::Internal("no such column: x".into()));
        assert_eq!(bug.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!bug.message.contains("no such column"));
    }
}
