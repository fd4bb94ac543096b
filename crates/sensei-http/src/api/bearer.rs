//! `Authorization: Bearer` on the JSON API: a script or service acts as the owner of an API
//! token. The middleware runs under `/api/v1` only (pages keep their cookie), resolves the
//! token once per request and leaves the owner ([`BearerAccount`]) for
//! [`crate::auth::viewer::signed_in_account`].
//!
//! A token that does not work answers 401 `invalid_token` with `WWW-Authenticate: Bearer`
//! (RFC 6750) whatever cookie came with it, and spends the client address's sign-in
//! failure credit, so guessing tokens meets 429 like guessing passwords. A bearer request
//! needs no forgery marker: browsers never add the header on their own, which is what
//! cross-site forgery relies on. The token itself is never logged.

use poem::http::{header, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};
use sensei_core::ApiTokenError;

use super::error::ApiError;
use crate::auth::viewer::{client_ip, BearerAccount};
use crate::error::AppError;
use crate::state::AppState;

/// What the `Authorization` header of a request holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No `Authorization` header.
    None,
    /// `Bearer <token>` (the scheme in any letter case).
    Bearer(&'a str),
    /// Anything else: another scheme, not text, or the header twice.
    Unusable,
}

fn credentials(req: &Request) -> Credentials<'_> {
    let mut values = req.headers().get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Unusable;
    }
    let Ok(text) = value.to_str() else {
        return Credentials::Unusable;
    };
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Credentials::Bearer(token.trim())
        }
        _ => Credentials::Unusable,
    }
}

/// Whether the request carries `Authorization: Bearer ...` (then it needs no forgery
/// marker: see the module documentation).
pub fn has_bearer(req: &Request) -> bool {
    matches!(credentials(req), Credentials::Bearer(_))
}

/// The 401 for a token that does not work (`message` replaces the usual one when given),
/// with the challenge RFC 6750 asks for.
fn invalid_token(message: Option<&str>) -> Response {
    let mut error = AppError::from(ApiTokenError::InvalidToken);
    if let Some(message) = message {
        message.clone_into(&mut error.message);
    }
    let mut response = ApiError::from(error).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"sensei\", error=\"invalid_token\""),
    );
    response
}

/// Middleware body (`around`) of the API: resolves `Authorization: Bearer` (see the module
/// documentation); requests without the header pass on untouched.
///
/// # Errors
/// The inner endpoint's, unchanged; refusals are responses.
pub async fn bearer_auth<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let token = match credentials(&req) {
        Credentials::None => return next.call(req).await.map(IntoResponse::into_response),
        Credentials::Bearer(token) => token.to_owned(),
        Credentials::Unusable => {
            return Ok(invalid_token(Some(
                "the Authorization header must be one `Bearer` followed by an API token \
                 (sst_...); sign in with the session cookie otherwise",
            )))
        }
    };
    let Some(state) = req.data::<AppState>().cloned() else {
        return Ok(
            ApiError::from(AppError::internal("the application state is not installed"))
                .into_response(),
        );
    };
    let credit = match state
        .security
        .sign_in_throttle
        .take_address(client_ip(&req))
    {
        Ok(credit) => credit,
        Err(refused) => {
            crate::monitoring::business::sign_in_failure(refused.code());
            tracing::debug!("bearer token refused before its lookup: no failures left");
            return Ok(ApiError::from(refused).into_response());
        }
    };
    match state.tokens.authenticate(&token).await {
        Ok(access) => {
            credit.give_back();
            if let Some(error) = access.unrecorded_use {
                tracing::warn!(user = access.account.id.get(), %error, "an API token's last use could not be written");
            }
            req.extensions_mut().insert(BearerAccount(access.account));
            next.call(req).await.map(IntoResponse::into_response)
        }
        Err(ApiTokenError::InvalidToken) => {
            crate::monitoring::business::sign_in_failure("invalid_token");
            tracing::info!("refused an invalid API token");
            Ok(invalid_token(None))
        }
        Err(other) => {
            // Not a guess: the store could not answer. Nothing is spent.
            credit.give_back();
            Ok(ApiError::from(AppError::from(other)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> Request {
        let mut builder = Request::builder();
        for value in values {
            builder = builder.header(header::AUTHORIZATION, *value);
        }
        builder.finish()
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_letter_case_and_anything_else_is_unusable() {
        assert_eq!(credentials(&with(&[])), Credentials::None);
        assert_eq!(
            credentials(&with(&["Bearer sst_abc"])),
            Credentials::Bearer("sst_abc")
        );
        assert_eq!(
            credentials(&with(&["bearer  sst_abc "])),
            Credentials::Bearer("sst_abc")
        );
        for unusable in [&["Basic YTpi"][..], &["Bearer"], &["Bearer a", "Bearer b"]] {
            assert_eq!(
                credentials(&with(unusable)),
                Credentials::Unusable,
                "{unusable:?}"
            );
        }
        assert!(has_bearer(&with(&["Bearer x"])));
        assert!(!has_bearer(&with(&["Basic x"])));
    }

    #[test]
    fn a_refused_token_is_challenged_as_rfc_6750_asks() {
        let response = invalid_token(None);
        assert_eq!(response.status().as_u16(), 401);
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
    }
}
