//! One-time confirmations after a form ("Session released"): the POST handler stores the
//! text in the private session cookie before its 303, and the next page a signed-in user
//! loads takes it out and shows it once in the layout. No script: the cookie carries it
//! across the redirect, and taking it removes it, so a reload does not show it again. The
//! words of each confirmation are the pages' (`crate::pages::flash`).

use poem::session::Session;
use poem::{http::Method, Request};

/// The session cookie's key for the message.
const KEY: &str = "flash";

/// The longest message kept: the texts are ours, but the cookie has a size limit and a
/// message is one line.
const MAX_CHARS: usize = 200;

/// Keeps `message` for the next page this browser loads (replacing one not shown yet).
pub fn set(session: &Session, message: &str) {
    let message: String = message.chars().take(MAX_CHARS).collect();
    session.set(KEY, message);
}

/// Where a page finds the kept message: the session of a page load (GET), or nothing (a form
/// post, a HEAD probe) so that those do not swallow it before the page that follows. The
/// message is taken only when a page with the header is rendered ([`Flash::take`]), so a
/// download such as the CSV export leaves it for the next page.
#[derive(Clone, Default)]
pub struct Flash {
    session: Option<Session>,
}

impl Flash {
    /// The slot of `req`, whose session is `session`.
    pub fn of(req: &Request, session: &Session) -> Self {
        Self {
            session: (req.method() == Method::GET).then(|| session.clone()),
        }
    }

    /// Takes the kept message out of the session, if any: shown once.
    pub fn take(&self) -> Option<String> {
        let session = self.session.as_ref()?;
        let message = session.get::<String>(KEY)?;
        session.remove(KEY);
        Some(message).filter(|message| !message.is_empty())
    }
}

impl std::fmt::Debug for Flash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The session's contents are private: only whether a page load can take a message.
        f.debug_struct("Flash")
            .field("page_load", &self.session.is_some())
            .finish()
    }
}
