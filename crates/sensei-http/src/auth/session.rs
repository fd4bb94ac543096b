//! The signed-in user in the session cookie. The cookie is private (encrypted and
//! authenticated with the configured key), so its content can be neither read nor forged.

use chrono::{Duration, Utc};
use poem::session::Session;
use sensei_core::{Actor, Role, UserId};
use serde::{Deserialize, Serialize};

use super::csrf;
use crate::error_pages::AppError;

/// The session key of the signed-in user.
const USER_KEY: &str = "user";

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

/// The stored form.
#[derive(Debug, Serialize, Deserialize)]
struct StoredUser {
    id: i32,
    email: String,
    role: String,
    /// Unix seconds after which the sign-in is no longer honoured.
    expires_at: i64,
}

/// Starts a new session for `user`: drops everything the anonymous session held, marks it
/// renewed, stores the user with an expiry, and draws a fresh CSRF token.
///
/// # Errors
/// [`AppError::Internal`] if the OS random source fails.
pub fn sign_in(session: &Session, user: &SessionUser) -> Result<(), AppError> {
    session.clear();
    session.renew();
    session.set(
        USER_KEY,
        StoredUser {
            id: user.id.get(),
            email: user.email.clone(),
            role: user.role.as_str().to_owned(),
            expires_at: (Utc::now() + SESSION_LIFETIME).timestamp(),
        },
    );
    csrf::rotate(session)?;
    Ok(())
}

/// Ends the session: the cookie is removed.
pub fn sign_out(session: &Session) {
    session.purge();
}

/// The signed-in user, if the session holds one that has not expired.
pub fn current_user(session: &Session) -> Option<SessionUser> {
    let stored = session.get::<StoredUser>(USER_KEY)?;
    if stored.expires_at <= Utc::now().timestamp() {
        return None;
    }
    Some(SessionUser {
        id: UserId(stored.id),
        email: stored.email,
        role: Role::parse(&stored.role)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_replaces_the_anonymous_session_and_sign_out_ends_it() {
        let session = Session::default();
        session.set("left-over", "anonymous data");
        let old_token = csrf::token(&session).unwrap();
        let user = SessionUser {
            id: UserId(7),
            email: "alice@example.com".into(),
            role: Role::Student,
        };
        sign_in(&session, &user).unwrap();
        assert_eq!(current_user(&session), Some(user));
        assert_eq!(session.get::<String>("left-over"), None);
        assert!(csrf::verify(&session, Some(&old_token)).is_err());
        sign_out(&session);
        assert_eq!(current_user(&session), None);
    }
}
