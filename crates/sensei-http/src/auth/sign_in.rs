//! Sign-ins on the cookie. The private cookie (encrypted and authenticated with the configured
//! key) carries only the sign-in's random token and the CSRF token; who is signed in is the
//! core's answer for that token ([`sensei_core::SenseiService::signed_in_account`]), so
//! signing out ends the sign-in for every copy of the cookie, and a changed role or a deleted
//! user takes effect at once.

use std::net::IpAddr;

use poem::session::Session;
use sensei_core::{Account, DomainError, SignInError, SignInToken};

use super::csrf;
use crate::error::AppError;
use crate::state::AppState;

/// The cookie's key for the sign-in token.
const TOKEN_KEY: &str = "sid";

/// The sign-in token the cookie holds, if any (whether that sign-in is still live is the
/// core's answer).
pub fn token_of(cookie: &Session) -> Option<SignInToken> {
    cookie
        .get::<String>(TOKEN_KEY)
        .filter(|token| !token.is_empty())
        .map(SignInToken::new)
}

/// Takes a credit from the account's and the client address's failure budgets, checks the
/// credentials and, when they match, gives the credit back and starts a new sign-in: the one
/// the cookie held (if any) is ended, everything the previous cookie held is dropped, the
/// cookie is renewed with only the new token in it, and a fresh CSRF token is drawn. Only a
/// wrong email or password spends the credit.
///
/// # Errors
/// `rate_limited` (429) when the account or the client address has no failures left (the
/// password is not checked then); `invalid_credentials` (401) for a wrong email or password;
/// unavailable (503) when the account store fails; internal if the OS random source fails.
pub async fn sign_in(
    state: &AppState,
    cookie: &Session,
    client: Option<IpAddr>,
    email: &str,
    password: String,
) -> Result<Account, AppError> {
    let credit = match state.security.sign_in_throttle.take(email, client) {
        Ok(credit) => credit,
        Err(refused) => {
            crate::monitoring::business::sign_in_failure(refused.code());
            return Err(refused);
        }
    };
    let previous = token_of(cookie);
    let result = state
        .service
        .sign_in(email, password, previous.as_ref())
        .await;
    let sign_in = match result {
        Ok(sign_in) => {
            credit.give_back();
            sign_in
        }
        Err(error) => {
            crate::monitoring::business::sign_in_failure(error.code());
            if !is_failed_guess(&error) {
                // The store failed, not the guess: no credit is spent on an outage.
                credit.give_back();
            }
            return Err(error.into());
        }
    };
    cookie.clear();
    cookie.renew();
    cookie.set(TOKEN_KEY, sign_in.token.as_str());
    csrf::rotate(cookie)?;
    tracing::info!(user = sign_in.account.id.get(), "signed in");
    Ok(sign_in.account)
}

/// Whether a sign-in failed because the email or password was wrong (what the budgets count).
fn is_failed_guess(error: &SignInError) -> bool {
    matches!(error, SignInError::InvalidCredentials)
}

/// Ends the sign-in (so copies of the cookie stop working too) and removes the cookie.
///
/// # Errors
/// Unavailable when the account store fails (the cookie is kept then, so the user can retry).
pub async fn sign_out(state: &AppState, cookie: &Session) -> Result<(), AppError> {
    if let Some(token) = token_of(cookie) {
        state.service.sign_out(&token).await?;
    }
    // The session middleware's removal cookie carries no `Path`, so a browser would apply it
    // to the request's directory only; `crate::startup` adds `Path=/` to it.
    cookie.purge();
    Ok(())
}

/// The signed-in account, if the cookie holds the token of a sign-in that exists and has not
/// expired; the role and email are the account's current ones.
///
/// # Errors
/// Unavailable when the account store fails.
pub async fn current_account(
    state: &AppState,
    cookie: &Session,
) -> Result<Option<Account>, AppError> {
    let Some(token) = token_of(cookie) else {
        return Ok(None);
    };
    Ok(state.service.signed_in_account(&token).await?)
}
