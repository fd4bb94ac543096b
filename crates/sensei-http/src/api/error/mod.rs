//! The API's one error shape, `{"code": ..., "message": ...}`: [`crate::error::AppError`]
//! rendered as JSON. The status and the code come from the error's declaration (the tables
//! are in [`crate::error::status`]); this module only renders. [`code`] documents the codes,
//! [`problem`] the statuses of each operation.

pub mod code;
pub mod problem;

use poem::error::ResponseError;
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::types::ToJSON;
use poem_openapi::Object;

pub use code::{ErrorCode, API_ERRORS};
pub use problem::*;

use super::model::{ScheduledSessionBody, UnmetConditionBody};
use crate::error::{error_for_status, AppError, Audience, Detail};

/// The content type of every JSON response.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Error", skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// `ineligible`: every condition that is not met, with its numbers.
    pub unmet_conditions: Option<Vec<UnmetConditionBody>>,
    /// `conflict`: the session as it is, with the first completion (kept unchanged).
    pub session: Option<Box<ScheduledSessionBody>>,
}

/// A failed API request: a status and the JSON body that explains it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {}", body.message)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
    /// Seconds for `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let unmet_conditions = match &error.detail {
            Detail::Ineligible(why) => Some(why.unmet.iter().map(Into::into).collect()),
            _ => None,
        };
        let session = match &error.detail {
            // A completed session reads the same at any instant: judged at its booking.
            Detail::AlreadyCompleted(session) => Some(Box::new(ScheduledSessionBody::at(
                session,
                session.scheduled_at,
            ))),
            _ => None,
        };
        Self {
            retry_after: error.retry_after,
            status: error.status(),
            body: ErrorBody {
                code: ErrorCode(error.declaration),
                message: error.message,
                unmet_conditions,
                session,
            },
        }
    }
}

impl ApiError {
    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::bad_request(message).into()
    }

    /// 500 `internal` (the cause is logged, never shown).
    pub fn internal(cause: &str) -> Self {
        AppError::internal(cause).into()
    }

    /// The error for a status that poem or poem-openapi produced itself (unknown path, wrong
    /// method, unparsable parameter or body), from the one status-to-error table.
    pub fn for_status(status: StatusCode, message: &str) -> Self {
        error_for_status(status, message, Audience::Api).into()
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let body = self.body.to_json_string();
        let mut builder = Response::builder()
            .status(self.status)
            .content_type(JSON_CONTENT_TYPE)
            .header(header::CACHE_CONTROL, "no-store");
        if let Some(seconds) = self.retry_after {
            builder = builder.header(header::RETRY_AFTER, seconds.to_string());
        }
        builder.body(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::ReasonParam;
    use sensei_core::{
        ApiTokenError, BookError, CancelError, CancelReasonError, ClaimError, CompleteError,
        ErrorDeclaration, HeldBy, IdentifyError, Ineligibility, NotesError, QueryError,
        RepositoryError, Resource, ScheduledSessionId, SessionState, SignInError, UnmetCondition,
    };

    #[test]
    fn every_error_renders_as_json_with_its_status_and_code() {
        let response = ApiError::from(AppError::not_found(
            "there is no scheduled session with id 9",
        ))
        .into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.content_type(), Some(JSON_CONTENT_TYPE));
        let body = ApiError::from(AppError::not_found("x"))
            .body
            .to_json()
            .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": "not_found", "message": "x"})
        );
    }

    #[test]
    fn outages_are_503_with_retry_after_and_corrupt_data_is_500() {
        let response = ApiError::from(AppError::from(RepositoryError::Unavailable("down".into())))
            .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        let corrupt = ApiError::from(AppError::from(RepositoryError::Internal("bad row".into())));
        assert_eq!(corrupt.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!corrupt.body.message.contains("bad row"));
    }

    #[test]
    fn an_ineligible_booking_lists_each_unmet_condition_with_its_numbers() {
        let error = ApiError::from(AppError::from(BookError::Ineligible(Ineligibility {
            unmet: vec![
                UnmetCondition::NoNeedsWorkReview {
                    latest_verdict: None,
                },
                UnmetCondition::EngagementBelowThreshold {
                    goals_touched: 1,
                    total_goals: 5,
                    goals_needed: 5,
                    percent: 20,
                    threshold_percent: 100,
                },
            ],
        })));
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.body.code.0.code(), "ineligible");
        let unmet = error.body.unmet_conditions.unwrap();
        assert_eq!(unmet[0].condition, ReasonParam::NeedsWorkFeedback);
        assert_eq!(unmet[1].goals_needed, Some(5));
        assert!(unmet[1].message.contains("1 of 5 goals engaged; 5 needed"));
    }

    #[test]
    fn every_error_the_api_converts_is_a_documented_code() {
        let session = ScheduledSessionId(1);
        let held = HeldBy {
            session,
            holder: "a@example.com".into(),
            expires_at: chrono::DateTime::UNIX_EPOCH,
        };
        let closed = SessionState::Completed;
        let nul = sensei_core::NulInText { field: "text" };
        let repository = [
            RepositoryError::Unavailable(String::new()),
            RepositoryError::Rejected(String::new()),
            RepositoryError::Internal(String::new()),
        ];
        let mut declarations: Vec<&ErrorDeclaration> = repository
            .iter()
            .map(sensei_core::DomainError::declaration)
            .collect();
        let domain: [&dyn sensei_core::DomainError; 19] = [
            &QueryError::Forbidden(Resource::Submission),
            &QueryError::InvalidText(nul),
            &BookError::NotFound(1),
            &BookError::Ineligible(Ineligibility { unmet: vec![] }),
            &BookError::TooManyOpen { open: 1, max: 1 },
            &CompleteError::InvalidNotes(NotesError::TooLong { chars: 1 }),
            &CompleteError::HeldByOther(held.clone()),
            &CompleteError::Cancelled(session),
            &ClaimError::HeldByOther(held),
            &ClaimError::NotHeld(session),
            &ClaimError::Closed {
                id: session,
                state: closed,
            },
            &ClaimError::TooManyClaims { live: 1, max: 1 },
            &CancelError::Forbidden,
            &CancelError::InvalidReason(CancelReasonError::Nul(nul)),
            &CancelError::Closed {
                id: session,
                state: closed,
            },
            &SignInError::InvalidCredentials,
            &IdentifyError::Disabled(String::new()),
            &ApiTokenError::InvalidToken,
            &BookError::Forbidden,
        ];
        declarations.extend(domain.iter().map(|error| error.declaration()));
        for declaration in declarations {
            assert!(
                API_ERRORS.contains(&crate::error::Declaration::of(declaration)),
                "{}",
                declaration.code
            );
        }
        for own in crate::error::Declaration::HTTP_ONLY {
            assert!(API_ERRORS.contains(own), "{}", own.code());
        }
        assert!(API_ERRORS.contains(&AppError::sign_in_required().declaration));
    }

    #[test]
    fn rejected_input_is_400_invalid_input_never_503() {
        let error = ApiError::from(AppError::from(RepositoryError::Rejected(
            "invalid byte sequence for encoding \"UTF8\": 0x00".into(),
        )));
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.body.code.0.code(), "invalid_input");
    }

    #[test]
    fn statuses_poem_produces_get_the_apis_words() {
        let missing = ApiError::for_status(StatusCode::NOT_FOUND, "why");
        assert_eq!(
            missing.body.message,
            "there is no API endpoint at this path"
        );
        let encoding = ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE, "why");
        assert_eq!(encoding.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(encoding.body.message.contains("application/json (why)"));
    }
}
