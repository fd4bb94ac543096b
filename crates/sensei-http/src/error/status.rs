//! The two tables between statuses and errors: the domain's error kinds to HTTP statuses
//! ([`status_for`]), and a status poem produced itself (an unknown path, a wrong method, a
//! body it could not read) to an error ([`error_for_status`]). Pages and the JSON API both go
//! through these.

use poem::http::StatusCode;
use sensei_core::{ErrorKind, RepositoryError};

use super::AppError;

/// The HTTP status of an error of this kind.
pub const fn status_for(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Who reads an error poem produced: the pages' readers or the API's clients. They get the
/// same code and status, each in their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A person at a browser (HTML pages).
    Page,
    /// A program (the JSON API).
    Api,
}

/// The error for a status that poem or poem-openapi produced itself, keeping poem's
/// `message` where it helps.
pub fn error_for_status(status: StatusCode, message: &str, audience: Audience) -> AppError {
    let for_page = audience == Audience::Page;
    match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            AppError::bad_request(message)
        }
        StatusCode::UNAUTHORIZED => AppError::sign_in_required(),
        StatusCode::FORBIDDEN => AppError::forbidden(message),
        StatusCode::NOT_FOUND => AppError::not_found(if for_page {
            "there is no page at this address"
        } else {
            "there is no API endpoint at this path"
        }),
        StatusCode::METHOD_NOT_ALLOWED => AppError::method_not_allowed(if for_page {
            "this address does not accept this kind of request"
        } else {
            "this path does not accept this method"
        }),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::payload_too_large(if for_page {
            "the form is larger than the server accepts; nothing was saved"
        } else {
            "the request body is too large"
        }),
        StatusCode::UNSUPPORTED_MEDIA_TYPE if for_page => AppError::unsupported_media_type(message),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::unsupported_media_type(format!(
            "send the request body as application/json ({message})"
        )),
        StatusCode::SERVICE_UNAVAILABLE => {
            AppError::from(RepositoryError::Unavailable(message.to_owned()))
        }
        status if status.is_client_error() => AppError::bad_request(message),
        _ => AppError::internal(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Declaration;

    #[test]
    fn statuses_poem_produces_get_stable_codes_for_pages_and_api_alike() {
        for (status, declaration) in [
            (StatusCode::BAD_REQUEST, Declaration::BAD_REQUEST),
            (
                StatusCode::NOT_FOUND,
                Declaration::of(&sensei_core::ErrorDeclaration::NOT_FOUND),
            ),
            (
                StatusCode::METHOD_NOT_ALLOWED,
                Declaration::METHOD_NOT_ALLOWED,
            ),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Declaration::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                Declaration::PAYLOAD_TOO_LARGE,
            ),
            (StatusCode::IM_A_TEAPOT, Declaration::BAD_REQUEST),
        ] {
            for audience in [Audience::Page, Audience::Api] {
                let error = error_for_status(status, "why", audience);
                assert_eq!(error.declaration, declaration, "{status} {audience:?}");
            }
        }
    }

    #[test]
    fn only_an_outage_is_503_and_only_a_bug_is_500() {
        let kinds = [
            ErrorKind::NotFound,
            ErrorKind::Unauthenticated,
            ErrorKind::Forbidden,
            ErrorKind::Refused,
            ErrorKind::Conflict,
            ErrorKind::InvalidInput,
            ErrorKind::Unavailable,
            ErrorKind::Internal,
        ];
        for kind in kinds {
            let status = status_for(kind);
            assert_eq!(
                status == StatusCode::SERVICE_UNAVAILABLE,
                kind == ErrorKind::Unavailable
            );
            assert_eq!(
                status.is_server_error(),
                kind == ErrorKind::Unavailable || kind == ErrorKind::Internal
            );
        }
        assert_eq!(status_for(ErrorKind::InvalidInput), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_for(ErrorKind::Refused),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
