//! The API's one error shape, `{"code": ..., "message": ...}`: [`crate::error::AppError`]
//! rendered as JSON. The status and the code come from the error itself (the one
//! kind-to-status table is in [`crate::error::status`]); this module only renders.
//!
//! Handlers fail with [`Problem<S>`], whose marker `S` lists the statuses an operation can
//! answer with, so the OpenAPI document names every one of them (the fuzz run checks that it
//! does).

use std::marker::PhantomData;

use poem::error::ResponseError;
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON, Type};
use poem_openapi::{ApiResponse, Enum, Object};
use sensei_core::{
    BookError, CancelError, ClaimError, CompleteError, IdentifyError, QueryError, RepositoryError,
    SignInError, UnmetCondition,
};

use super::model::{ReasonParam, ScheduledSessionBody};
use crate::error::{AppError, Detail};

/// The content type of every JSON response.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A stable, machine-readable error code. New codes may be added; existing ones keep their
/// meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed input: JSON, ids, filters, cursors (400).
    BadRequest,
    /// Input the database cannot store, such as a NUL character, or a record it refuses (400).
    InvalidInput,
    /// Nobody is signed in (401).
    Unauthenticated,
    /// Wrong email or password (401).
    InvalidCredentials,
    /// An `Authorization: Bearer` token that is malformed, unknown, revoked or expired, or
    /// whose owner is disabled (401).
    InvalidToken,
    /// Signed in, but not allowed (403).
    Forbidden,
    /// A state-changing request without the JSON content type or `X-Requested-With` (403).
    CsrfRejected,
    /// No such record or API path (404).
    NotFound,
    /// The path exists, the method does not (405).
    MethodNotAllowed,
    /// The record's state forbids it: the session was already completed (409).
    Conflict,
    /// Another instructor holds a live claim on the session; the message names them and the
    /// expiry (409).
    HeldByOther,
    /// Renewing or releasing a session the instructor holds no live claim on (409).
    NotHeld,
    /// The session is completed or cancelled: it can no longer be claimed, completed or
    /// cancelled (409).
    SessionClosed,
    /// The request body is too large (413).
    PayloadTooLarge,
    /// The request body is not JSON (415).
    UnsupportedMediaType,
    /// The student is not eligible for a sensei session; see `unmet_conditions` (422).
    Ineligible,
    /// The completion notes were refused (422).
    InvalidNotes,
    /// The instructor holds as many live claims as the policy allows (422).
    ClaimLimit,
    /// The cancellation reason was refused (over 500 characters) (422).
    InvalidReason,
    /// The meeting link or time given with a claim was refused (422).
    InvalidMeeting,
    /// The student holds as many open sessions as the policy allows (422).
    TooManyOpenSessions,
    /// Well-formed input the rules refuse (422).
    Refused,
    /// Too many sign-in attempts; retry after `Retry-After` seconds (429).
    RateLimited,
    /// The database cannot be reached; retry later (503).
    Unavailable,
    /// A bug or corrupt data; logged (500).
    Internal,
}

impl ErrorCode {
    /// The variant of a code string ([`AppError::code`]); an unknown code is a bug, `internal`.
    pub fn from_code(code: &str) -> ErrorCode {
        ErrorCode::parse_from_json(Some(serde_json::Value::String(code.to_owned())))
            .unwrap_or(ErrorCode::Internal)
    }
}

/// One eligibility condition the student does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "UnmetCondition", skip_serializing_if_is_none)]
pub struct UnmetConditionBody {
    /// The condition (the reason it would have given).
    pub condition: ReasonParam,
    /// What is missing, for people.
    pub message: String,
    /// `needs_work_feedback`: the latest review verdict, absent when never reviewed.
    pub latest_verdict: Option<String>,
    /// `digi_trainer_engagement`: goals engaged or passed.
    pub goals_touched: Option<u32>,
    /// `digi_trainer_engagement`: goals of the challenge.
    pub total_goals: Option<u32>,
    /// `digi_trainer_engagement`: goals engaged or passed that the threshold needs.
    pub goals_needed: Option<u32>,
    /// `digi_trainer_engagement`: the student's engagement percentage.
    pub engagement_percent: Option<u32>,
    /// `digi_trainer_engagement`: the policy's threshold percentage.
    pub threshold_percent: Option<u32>,
}

impl From<&UnmetCondition> for UnmetConditionBody {
    fn from(condition: &UnmetCondition) -> Self {
        let base = UnmetConditionBody {
            condition: condition.reason().into(),
            message: condition.to_string(),
            latest_verdict: None,
            goals_touched: None,
            total_goals: None,
            goals_needed: None,
            engagement_percent: None,
            threshold_percent: None,
        };
        match condition {
            UnmetCondition::NoNeedsWorkReview { latest_verdict } => UnmetConditionBody {
                latest_verdict: latest_verdict.clone(),
                ..base
            },
            UnmetCondition::EngagementBelowThreshold {
                goals_touched,
                total_goals,
                goals_needed,
                percent,
                threshold_percent,
            } => UnmetConditionBody {
                goals_touched: Some(*goals_touched),
                total_goals: Some(*total_goals),
                goals_needed: Some(*goals_needed),
                engagement_percent: Some(*percent),
                threshold_percent: Some(*threshold_percent),
                ..base
            },
        }
    }
}

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
            Detail::AlreadyCompleted(session) => {
                Some(Box::new(ScheduledSessionBody::from(&**session)))
            }
            _ => None,
        };
        Self {
            status: error.status,
            retry_after: error.retry_after,
            body: ErrorBody {
                code: ErrorCode::from_code(error.code),
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
    /// method, unparsable parameter or body), keeping its message where it helps.
    pub fn from_status(status: StatusCode, message: &str) -> Self {
        let error = match status {
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                AppError::bad_request(message)
            }
            StatusCode::UNAUTHORIZED => AppError::sign_in_required(),
            StatusCode::FORBIDDEN => AppError::forbidden(message),
            StatusCode::NOT_FOUND => AppError::not_found("there is no API endpoint at this path"),
            StatusCode::METHOD_NOT_ALLOWED => AppError::method_not_allowed(),
            StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::payload_too_large("the request body is too large")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::unsupported_media_type(format!(
                "send the request body as application/json ({message})"
            )),
            StatusCode::SERVICE_UNAVAILABLE => {
                AppError::from(RepositoryError::Unavailable(message.to_owned()))
            }
            status if status.is_client_error() => AppError::bad_request(message),
            _ => AppError::internal(message),
        };
        error.into()
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

/// The error statuses one operation can answer with (see [`Problem`]).
pub trait ErrorStatuses: Send + Sync + 'static {
    /// The statuses, each documented with the [`ErrorBody`] schema.
    const STATUSES: &'static [u16];
}

/// What a status means, for the OpenAPI document.
fn describe(status: u16) -> &'static str {
    match status {
        400 => "Malformed input (`bad_request`): a non-numeric id, an unknown filter value, a malformed cursor or JSON body.",
        401 => "Not signed in (`unauthenticated`), wrong email or password (`invalid_credentials`), or an API token that does not work (`invalid_token`: mistyped, revoked, expired, or its owner disabled).",
        403 => "Signed in but not allowed (`forbidden`), or a state-changing request without `Content-Type: application/json` or `X-Requested-With` (`csrf_rejected`).",
        404 => "No such record (`not_found`).",
        409 => "The session's state forbids it: already completed (`conflict`, `session` holds the first completion, which is kept), claimed by another instructor (`held_by_other`, the message names them and the expiry), not claimed by you (`not_held`), or completed or cancelled (`session_closed`).",
        413 => "The request body is too large (`payload_too_large`).",
        415 => "The request body is not JSON (`unsupported_media_type`).",
        422 => "The request is well-formed but the rules refuse it: `ineligible` (with `unmet_conditions`), `too_many_open_sessions`, `invalid_notes`, `invalid_reason`, `invalid_meeting` or `claim_limit`.",
        429 => "Too many failed sign-in attempts or API tokens for this account or from this address (`rate_limited`); retry after the `Retry-After` seconds.",
        503 => "The database cannot be reached (`unavailable`); retry after the `Retry-After` seconds.",
        _ => "An error.",
    }
}

/// The failure type of an operation: an [`ApiError`] whose possible statuses, listed by `S`,
/// appear in the OpenAPI document.
pub struct Problem<S> {
    error: ApiError,
    statuses: PhantomData<fn() -> S>,
}

impl<S> Problem<S> {
    /// The error inside.
    pub fn error(&self) -> &ApiError {
        &self.error
    }
}

impl<S> std::fmt::Debug for Problem<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl<S: ErrorStatuses> ApiResponse for Problem<S> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: S::STATUSES
                .iter()
                .map(|&status| MetaResponse {
                    description: describe(status),
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: JSON_CONTENT_TYPE,
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: Vec::new(),
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

impl<S: Send + Sync + 'static> IntoResponse for Problem<S> {
    fn into_response(self) -> Response {
        self.error.into_response()
    }
}

impl<S> From<Problem<S>> for poem::Error {
    fn from(problem: Problem<S>) -> Self {
        poem::Error::from(problem.error)
    }
}

macro_rules! problem_from {
    ($($source:ty),* $(,)?) => {$(
        impl<S> From<$source> for Problem<S> {
            fn from(error: $source) -> Self {
                Problem {
                    error: ApiError::from(AppError::from(error)),
                    statuses: PhantomData,
                }
            }
        }
    )*};
}

impl<S> From<ApiError> for Problem<S> {
    fn from(error: ApiError) -> Self {
        Problem {
            error,
            statuses: PhantomData,
        }
    }
}

problem_from!(
    AppError,
    RepositoryError,
    QueryError,
    BookError,
    CompleteError,
    ClaimError,
    CancelError,
    SignInError,
    IdentifyError
);

/// Declares a marker type listing the error statuses of an operation.
macro_rules! error_statuses {
    ($($(#[$doc:meta])* $name:ident: [$($status:literal),* $(,)?];)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl ErrorStatuses for $name {
            const STATUSES: &'static [u16] = &[$($status),*];
        }
    )*};
}

error_statuses! {
    /// `POST /session`.
    SignInErrors: [400, 401, 403, 413, 415, 429, 503];
    /// `GET /session`.
    WhoAmIErrors: [400, 401, 403, 503];
    /// `DELETE /session`.
    SignOutErrors: [403, 413, 415, 503];
    /// `POST /submissions/{id}/scheduled-sessions`.
    BookErrors: [400, 401, 403, 404, 413, 415, 422, 503];
    /// `GET /scheduled-sessions`.
    ListErrors: [400, 401, 403, 503];
    /// `GET /scheduled-sessions/{id}`.
    DetailErrors: [400, 401, 403, 404, 503];
    /// `POST /scheduled-sessions/{id}/completion`.
    CompleteErrors: [400, 401, 403, 404, 409, 413, 415, 422, 503];
    /// `POST /scheduled-sessions/{id}/claim`, `/renew`, `/release`.
    ClaimErrors: [400, 401, 403, 404, 409, 413, 415, 422, 503];
    /// `POST /scheduled-sessions/{id}/cancellation`.
    CancelErrors: [400, 401, 403, 404, 409, 413, 415, 422, 503];
    /// `GET /scheduled-sessions/{id}/events`.
    TimelineErrors: [400, 401, 403, 404, 503];
    /// `GET /history`.
    HistoryErrors: [400, 401, 403, 503];
    /// `GET /me/scheduled-sessions`, `GET /me/submissions`.
    MineErrors: [400, 401, 403, 503];
}

#[cfg(test)]
mod tests {
    use super::*;
    use sensei_core::Ineligibility;

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
        assert_eq!(error.body.code, ErrorCode::Ineligible);
        let unmet = error.body.unmet_conditions.unwrap();
        assert_eq!(unmet[0].condition, ReasonParam::NeedsWorkFeedback);
        assert_eq!(unmet[1].goals_needed, Some(5));
        assert!(unmet[1].message.contains("1 of 5 goals engaged; 5 needed"));
    }

    #[test]
    fn every_code_the_errors_carry_is_a_documented_code() {
        for code in [
            "not_found",
            "unauthenticated",
            "forbidden",
            "refused",
            "conflict",
            "invalid_input",
            "unavailable",
            "internal",
            "ineligible",
            "invalid_notes",
            "invalid_credentials",
            "csrf_rejected",
            "bad_request",
            "payload_too_large",
            "unsupported_media_type",
            "method_not_allowed",
            "rate_limited",
            "held_by_other",
            "not_held",
            "session_closed",
            "claim_limit",
            "invalid_reason",
            "invalid_meeting",
            "too_many_open_sessions",
        ] {
            let parsed = ErrorCode::from_code(code);
            assert_eq!(
                parsed.to_json(),
                Some(serde_json::Value::String(code.to_owned())),
                "{code}"
            );
        }
        assert_eq!(ErrorCode::from_code("nonsense"), ErrorCode::Internal);
    }

    #[test]
    fn rejected_input_is_400_invalid_input_never_503() {
        let error = ApiError::from(AppError::from(RepositoryError::Rejected(
            "invalid byte sequence for encoding \"UTF8\": 0x00".into(),
        )));
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.body.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn statuses_poem_produces_get_stable_codes() {
        for (status, code) in [
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            (StatusCode::IM_A_TEAPOT, ErrorCode::BadRequest),
        ] {
            let error = ApiError::from_status(status, "why");
            assert_eq!(error.body.code, code, "{status}");
        }
    }
}
