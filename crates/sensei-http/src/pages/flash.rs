//! One-time confirmations after a form ("Session released"): the POST handler stores the
//! text in the private session cookie before its 303, and the next page a signed-in user
//! loads takes it out and shows it once in the layout. No script: the cookie carries it
//! across the redirect, and taking it removes it, so a reload does not show it again.

use poem::session::Session;
use poem::{http::Method, Request};
use sensei_core::{ScheduledSession, SessionLifecycle};

use crate::zone::ViewerZone;

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

/// The confirmation after a claim or a renewal: who the claim holds until.
pub fn claimed(session: &ScheduledSession, renewed: bool, zone: ViewerZone) -> String {
    let verb = if renewed {
        "renewed your claim on"
    } else {
        "claimed"
    };
    match &session.lifecycle {
        SessionLifecycle::Claimed(claim) => format!(
            "You {verb} session {} until {}.",
            session.id,
            zone.datetime_with_utc(&claim.expires_at)
        ),
        // The use case answers a claim with a claimed session; should it not, the action
        // still happened and is confirmed without a time.
        _ => format!("You {verb} session {}.", session.id),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sensei_core::{
        Claim, EngagementSnapshot, RecordedReason, ScheduledSessionId, SubmissionId, UserId,
    };

    fn session(lifecycle: SessionLifecycle) -> ScheduledSession {
        ScheduledSession {
            id: ScheduledSessionId(12),
            submission_id: SubmissionId(3),
            user_id: UserId(4),
            reason: RecordedReason::Known(sensei_core::EligibilityReason::NeedsWorkFeedback),
            engagement: EngagementSnapshot {
                goals_passed: 0,
                goals_engaged: 0,
                total_goals: 0,
            },
            scheduled_at: chrono::Utc.timestamp_opt(0, 0).unwrap(),
            lifecycle,
        }
    }

    #[test]
    fn a_claim_is_confirmed_with_its_expiry() {
        let expires_at = chrono::Utc
            .with_ymd_and_hms(2026, 12, 7, 14, 5, 0)
            .single()
            .unwrap();
        let claimed_session = session(SessionLifecycle::Claimed(Claim {
            holder: UserId(9),
            expires_at,
        }));
        assert_eq!(
            claimed(&claimed_session, false, ViewerZone::utc()),
            "You claimed session 12 until 2026-12-07 14:05 UTC."
        );
        assert_eq!(
            claimed(&claimed_session, true, ViewerZone::utc()),
            "You renewed your claim on session 12 until 2026-12-07 14:05 UTC."
        );
        assert_eq!(
            claimed(&claimed_session, false, ViewerZone::named("Asia/Tokyo")),
            "You claimed session 12 until 2026-12-07 23:05 JST (14:05 UTC)."
        );
        assert_eq!(
            claimed(
                &session(SessionLifecycle::Pending),
                false,
                ViewerZone::utc()
            ),
            "You claimed session 12."
        );
    }
}
