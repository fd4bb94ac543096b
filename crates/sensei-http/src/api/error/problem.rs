//! The failure type of the API's operations: [`Problem<S>`], whose marker `S` lists the
//! statuses an operation can answer with, so the OpenAPI document names every one of them
//! (the fuzz run checks that it does), each described by its codes.

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::ApiResponse;
use sensei_core::{
    BookError, CancelError, ClaimError, CompleteError, IdentifyError, QueryError, RepositoryError,
    SignInError,
};

use super::code::describe_status;
use super::{ApiError, ErrorBody, JSON_CONTENT_TYPE};
use crate::error::AppError;

/// The error statuses one operation can answer with (see [`Problem`]).
pub trait ErrorStatuses: Send + Sync + 'static {
    /// The statuses, each documented with the [`ErrorBody`] schema.
    const STATUSES: &'static [u16];
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
                    description: describe_status(status),
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
