//! Server-side sign-in sessions. The private session cookie (encrypted and authenticated with
//! the configured key) carries only the session's random token and the CSRF token; who is
//! signed in lives in the database's `auth_sessions` table. Every signed-in request reads the
//! session's row joined to its user (one primary-key lookup), so signing out ends the session
//! for every copy of the cookie, and a changed role or a deleted user takes effect at once.

use chrono::{Duration, Utc};
use poem::session::Session;
use sensei_core::{Actor, Role, UserId};
use sensei_diesel::UserAccount;

use super::csrf;
use crate::error_pages::AppError;
use crate::state::AppState;

/// The cookie's key for the session token.
const TOKEN_KEY: &str = "sid";

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// The user's id.
    pub id: UserId,
    /// The user's email.
    pub email: String,
    /// The user's role.
    pub role: Role,
}

impl SessionUser {
    /// The actor the use cases run as.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role,
        }
    }
}

impl From<UserAccount> for SessionUser {
    fn from(account: UserAccount) -> Self {
        SessionUser {
            id: account.id,
            email: account.email,
            role: account.role,
        }
    }
}

fn token_of(session: &Session) -> Option<String> {
    session
        .get::<String>(TOKEN_KEY)
        .filter(|token| !token.is_empty())
}

/// Starts a new session for `user`: ends the server session the cookie held (if any), stores
/// a new one in the database, drops everything the previous cookie session held, marks it
/// renewed, keeps only the new token in it, and draws a fresh CSRF token.
///
/// # Errors
/// [`AppError::Unavailable`] when the database fails; [`AppError::Internal`] if the OS random
/// source fails.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    user: &SessionUser,
) -> Result<(), AppError> {
    let accounts = state.database.accounts();
    if let Some(previous) = token_of(session) {
        accounts.end_session(&previous).await?;
    }
    let token = accounts
        .start_session(user.id, Utc::now() + SESSION_LIFETIME)
        .await?;
    session.clear();
    session.renew();
    session.set(TOKEN_KEY, token);
    csrf::rotate(session)?;
    Ok(())
}

/// Ends the session: its database row is deleted (so copies of the cookie stop working too)
/// and the cookie is removed.
///
/// # Errors
/// [`AppError::Unavailable`] when the database fails (the cookie is kept then, so the user
/// can retry).
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), AppError> {
    if let Some(token) = token_of(session) {
        state.database.accounts().end_session(&token).await?;
    }
    session.purge();
    Ok(())
}

/// The signed-in user, if the cookie holds the token of a session that exists and has not
/// expired; the role and email are the user's current ones.
///
/// # Errors
/// [`AppError::Unavailable`] when the database fails.
pub async fn current_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<SessionUser>, AppError> {
    let Some(token) = token_of(session) else {
        return Ok(None);
    };
    let account = state
        .database
        .accounts()
        .session_user(&token, Utc::now())
        .await?;
    Ok(account.map(SessionUser::from))
}
