//! The pages' one-time confirmations: kept in the session cookie by [`set`] and shown once
//! through [`Flash`] (both in `crate::auth::flash`, beside the cookie), worded here.

use sensei_core::{ScheduledSession, SessionLifecycle};

pub use crate::auth::flash::{set, Flash};
use crate::zone::ViewerZone;

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
