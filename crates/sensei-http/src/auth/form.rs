//! [`CheckedForm`]: the only way a handler reads a POSTed form. It caps the body size,
//! requires a urlencoded body, and verifies the CSRF token before the handler runs, so a
//! refused request changes nothing.

use poem::error::ReadBodyError;
use poem::http::header;
use poem::{FromRequest, Request, RequestBody};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::csrf;
use super::viewer::request_session;
use crate::error::AppError;

/// The largest form body accepted (room for 10,000 four-byte characters, percent-encoded).
pub const MAX_FORM_BYTES: usize = 128 * 1024;

/// A form that passed the size, encoding and CSRF checks, deserialized into `T`.
#[derive(Debug)]
pub struct CheckedForm<T>(pub T);

/// A form with no fields besides the CSRF token (sign-out, booking).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

fn is_urlencoded(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

impl<'a, T: DeserializeOwned> FromRequest<'a> for CheckedForm<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        if !is_urlencoded(req) {
            return Err(AppError::unsupported_media_type(
                "forms must be sent as application/x-www-form-urlencoded",
            )
            .into());
        }
        let bytes = body
            .take()
            .map_err(|_| AppError::internal("the request body was already read"))?
            .into_bytes_limit(MAX_FORM_BYTES)
            .await
            .map_err(|error| match error {
                ReadBodyError::PayloadTooLarge => AppError::payload_too_large(
                    "the form is larger than the server accepts; nothing was saved",
                ),
                other => AppError::bad_request(format!("The form could not be read: {other}.")),
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::bad_request("The form is not valid urlencoded data."))?;
        let submitted = fields
            .iter()
            .find(|(name, _)| name == csrf::FIELD)
            .map(|(_, value)| value.as_str());
        csrf::verify(request_session(req)?, submitted)?;
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|error| {
            AppError::bad_request(format!("The form is incomplete or malformed: {error}."))
        })?;
        Ok(CheckedForm(value))
    }
}
