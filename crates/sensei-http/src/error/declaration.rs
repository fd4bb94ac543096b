//! Every error this adapter answers with, declared once: the core's declarations with the
//! status of their kind, and the few errors only HTTP has (malformed requests, forgery,
//! methods, sizes, encodings, floods). The JSON API and the pages both render from these;
//! nothing matches on a code string.

use poem::http::StatusCode;
use sensei_core::ErrorDeclaration;

use super::status::status_for;

/// An error as this adapter answers it: one of the core's declarations (its status from its
/// kind) or one of HTTP's own. Two references' worth, so an error result stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declaration {
    /// A domain error.
    Domain(&'static ErrorDeclaration),
    /// An error only HTTP has.
    Http(&'static HttpOnly),
}

/// An error only HTTP has: its code, status, page title and meaning.
#[derive(Debug, PartialEq, Eq)]
pub struct HttpOnly {
    /// The stable snake_case code (the API's `code`).
    pub code: &'static str,
    /// The HTTP status (one no error kind gives).
    pub status: StatusCode,
    /// An error page's heading.
    pub title: &'static str,
    /// What the code means, for the API's reference.
    pub meaning: &'static str,
}

impl Declaration {
    /// A domain error's declaration.
    pub const fn of(declaration: &'static ErrorDeclaration) -> Self {
        Declaration::Domain(declaration)
    }

    /// The stable snake_case code (the API's `code`).
    pub const fn code(self) -> &'static str {
        match self {
            Declaration::Domain(declaration) => declaration.code,
            Declaration::Http(own) => own.code,
        }
    }

    /// The HTTP status: a domain error's from its kind ([`status_for`]).
    pub const fn status(self) -> StatusCode {
        match self {
            Declaration::Domain(declaration) => status_for(declaration.kind),
            Declaration::Http(own) => own.status,
        }
    }

    /// An error page's heading.
    pub const fn title(self) -> &'static str {
        match self {
            Declaration::Domain(declaration) => declaration.title,
            Declaration::Http(own) => own.title,
        }
    }

    /// What the code means, for the API's reference.
    pub const fn meaning(self) -> &'static str {
        match self {
            Declaration::Domain(declaration) => declaration.meaning,
            Declaration::Http(own) => own.meaning,
        }
    }

    /// Malformed input: JSON, forms, ids, filters, cursors (400).
    pub const BAD_REQUEST: Self = Declaration::Http(&HttpOnly {
        code: "bad_request",
        status: StatusCode::BAD_REQUEST,
        title: "Bad request",
        meaning: "malformed input: JSON, ids, filters, cursors",
    });

    /// A state-changing request without a valid forgery token or marker (403).
    pub const CSRF_REJECTED: Self = Declaration::Http(&HttpOnly {
        code: "csrf_rejected",
        status: StatusCode::FORBIDDEN,
        title: "Form expired",
        meaning: "a state-changing request without the JSON content type or `X-Requested-With`",
    });

    /// The path exists, the method does not (405).
    pub const METHOD_NOT_ALLOWED: Self = Declaration::Http(&HttpOnly {
        code: "method_not_allowed",
        status: StatusCode::METHOD_NOT_ALLOWED,
        title: "Method not allowed",
        meaning: "the path exists, the method does not",
    });

    /// A body over the limit (413).
    pub const PAYLOAD_TOO_LARGE: Self = Declaration::Http(&HttpOnly {
        code: "payload_too_large",
        status: StatusCode::PAYLOAD_TOO_LARGE,
        title: "Too large",
        meaning: "the request body is too large",
    });

    /// A body in an encoding the route does not read (415).
    pub const UNSUPPORTED_MEDIA_TYPE: Self = Declaration::Http(&HttpOnly {
        code: "unsupported_media_type",
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        title: "Unsupported form encoding",
        meaning: "the request body is not JSON",
    });

    /// Too many failed sign-ins (429).
    pub const RATE_LIMITED: Self = Declaration::Http(&HttpOnly {
        code: "rate_limited",
        status: StatusCode::TOO_MANY_REQUESTS,
        title: "Too many attempts",
        meaning: "too many failed sign-in attempts or API tokens for this account or from \
                  this address; retry after the `Retry-After` seconds",
    });

    /// The errors only HTTP has.
    pub const HTTP_ONLY: &'static [Self] = &[
        Self::BAD_REQUEST,
        Self::CSRF_REJECTED,
        Self::METHOD_NOT_ALLOWED,
        Self::PAYLOAD_TOO_LARGE,
        Self::UNSUPPORTED_MEDIA_TYPE,
        Self::RATE_LIMITED,
    ];

    /// Every declaration: the core's, then HTTP's own.
    pub fn all() -> impl Iterator<Item = Self> {
        ErrorDeclaration::ALL
            .iter()
            .map(Self::of)
            .chain(Self::HTTP_ONLY.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_code_of_http_is_also_a_code_of_the_core() {
        for own in Declaration::HTTP_ONLY {
            assert!(
                ErrorDeclaration::ALL
                    .iter()
                    .all(|core| core.code != own.code()),
                "{}",
                own.code()
            );
        }
        assert_eq!(Declaration::all().count(), ErrorDeclaration::ALL.len() + 6);
        assert_eq!(
            Declaration::of(&ErrorDeclaration::INELIGIBLE).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
