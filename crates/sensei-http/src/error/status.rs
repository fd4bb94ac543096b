//! The one table that turns the domain's error kinds into HTTP statuses. Pages and the JSON
//! API both answer with the status this table gives.

use poem::http::StatusCode;
use sensei_core::ErrorKind;

/// The HTTP status of an error of this kind.
pub fn status_for(kind: ErrorKind) -> StatusCode {
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

#[cfg(test)]
mod tests {
    use super::*;

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
