//! Synchronizer-token CSRF protection: a random token lives in the (private, signed) session
//! cookie, every form carries it in a hidden `csrf_token` field, and every state-changing
//! request is refused unless the two match (compared in constant time).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use poem::session::Session;
use subtle::ConstantTimeEq;

use crate::error::AppError;

/// The session key of the token.
const SESSION_KEY: &str = "csrf";
/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// Why a form without a valid token was refused.
pub const REJECTED: &str =
    "this form could not be verified (it may have expired); reload the page and try again";

/// A fresh random token (32 bytes from the OS, base64url).
///
/// # Errors
/// [`AppError::internal`] if the OS random source fails.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(error.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The session's token, creating (and storing) one if it has none.
///
/// # Errors
/// [`AppError::internal`] if the OS random source fails.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Some(existing) = session.get::<String>(SESSION_KEY) {
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    rotate(session)
}

/// Replaces the session's token with a fresh one (at sign-in) and returns it.
///
/// # Errors
/// [`AppError::internal`] if the OS random source fails.
pub fn rotate(session: &Session) -> Result<String, AppError> {
    let fresh = new_token()?;
    session.set(SESSION_KEY, &fresh);
    Ok(fresh)
}

/// Checks a submitted token against the session's.
///
/// # Errors
/// A `csrf_rejected` [`AppError`] when either is missing or they differ.
pub fn verify(session: &Session, submitted: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(SESSION_KEY).unwrap_or_default();
    let submitted = submitted.unwrap_or_default();
    if expected.is_empty() || submitted.is_empty() {
        return Err(AppError::csrf_rejected(REJECTED));
    }
    if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) {
        Ok(())
    } else {
        Err(AppError::csrf_rejected(REJECTED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sessions_own_token_passes() {
        let session = Session::default();
        assert_eq!(
            verify(&session, Some("x")).unwrap_err().code(),
            "csrf_rejected"
        );
        let token = token(&session).unwrap();
        assert_eq!(token.len(), 43);
        assert!(verify(&session, Some(&token)).is_ok());
        assert!(verify(&session, None).is_err());
        assert!(verify(&session, Some("")).is_err());
        assert!(verify(&session, Some(&new_token().unwrap())).is_err());
        let rotated = rotate(&session).unwrap();
        assert!(verify(&session, Some(&token)).is_err());
        assert!(verify(&session, Some(&rotated)).is_ok());
    }
}
