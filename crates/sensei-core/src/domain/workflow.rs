//! The instructor workflow's rules, as pure decisions: given a session as stored and the
//! instant, what may happen to it. The services apply a decision through the store's
//! compare-and-set ([`crate::ports::ScheduledSessionRepository::transition`]), so two people
//! deciding on the same session at once cannot both succeed.

use chrono::{DateTime, Duration, Utc};

use super::cancel::CancelReason;
use super::ids::UserId;
use super::session::{
    Cancellation, Claim, Completion, ScheduledSession, SessionLifecycle, SessionState,
};

/// Why a decision refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another instructor holds a live claim.
    HeldByOther {
        /// The holder.
        holder: UserId,
        /// Until when.
        expires_at: DateTime<Utc>,
    },
    /// The actor holds no live claim on it (renew, release).
    NotHeld,
    /// It is completed or cancelled.
    Closed(SessionState),
}

/// Claiming: a pending session (or one whose claim expired) is claimed for `claim_time`; a
/// session the instructor already holds is renewed.
///
/// # Errors
/// [`Refusal::HeldByOther`] while someone else's claim is live; [`Refusal::Closed`].
pub fn decide_claim(
    session: &ScheduledSession,
    instructor: UserId,
    now: DateTime<Utc>,
    claim_time: Duration,
) -> Result<SessionLifecycle, Refusal> {
    match session.state_at(now) {
        SessionState::Pending => Ok(claimed(instructor, now, claim_time)),
        SessionState::Claimed => match session.live_claim_at(now) {
            Some(claim) if claim.holder == instructor => Ok(claimed(instructor, now, claim_time)),
            Some(claim) => Err(Refusal::HeldByOther {
                holder: claim.holder,
                expires_at: claim.expires_at,
            }),
            None => Ok(claimed(instructor, now, claim_time)),
        },
        closed => Err(Refusal::Closed(closed)),
    }
}

/// Renewing: only the holder of a live claim; the expiry restarts from now.
///
/// # Errors
/// [`Refusal::NotHeld`] when the instructor holds no live claim (it expired, or never was),
/// [`Refusal::HeldByOther`], [`Refusal::Closed`].
pub fn decide_renew(
    session: &ScheduledSession,
    instructor: UserId,
    now: DateTime<Utc>,
    claim_time: Duration,
) -> Result<SessionLifecycle, Refusal> {
    held_by(session, instructor, now).map(|_| claimed(instructor, now, claim_time))
}

/// Releasing: only the holder of a live claim; the session is pending again.
///
/// # Errors
/// As [`decide_renew`].
pub fn decide_release(
    session: &ScheduledSession,
    instructor: UserId,
    now: DateTime<Utc>,
) -> Result<SessionLifecycle, Refusal> {
    held_by(session, instructor, now).map(|_| SessionLifecycle::Pending)
}

/// Completing: a pending session by any instructor; a claimed one only by its holder.
///
/// # Errors
/// [`Refusal::HeldByOther`] while someone else's claim is live; [`Refusal::Closed`].
pub fn decide_complete(
    session: &ScheduledSession,
    instructor: UserId,
    now: DateTime<Utc>,
    completion: Completion,
) -> Result<SessionLifecycle, Refusal> {
    match session.state_at(now) {
        SessionState::Pending => Ok(SessionLifecycle::Completed(completion)),
        SessionState::Claimed => match session.live_claim_at(now) {
            Some(claim) if claim.holder != instructor => Err(Refusal::HeldByOther {
                holder: claim.holder,
                expires_at: claim.expires_at,
            }),
            _ => Ok(SessionLifecycle::Completed(completion)),
        },
        closed => Err(Refusal::Closed(closed)),
    }
}

/// Cancelling: any open session (pending or claimed); ownership is checked by the service.
///
/// # Errors
/// [`Refusal::Closed`] when completed or already cancelled.
pub fn decide_cancel(
    session: &ScheduledSession,
    now: DateTime<Utc>,
    reason: Option<CancelReason>,
) -> Result<SessionLifecycle, Refusal> {
    match session.state_at(now) {
        SessionState::Pending | SessionState::Claimed => {
            Ok(SessionLifecycle::Cancelled(Cancellation {
                cancelled_at: now,
                reason,
            }))
        }
        closed => Err(Refusal::Closed(closed)),
    }
}

/// How close two claims' expiries must be for a repeated claim or renewal by the same holder
/// to count as done by its twin.
pub const SAME_CLAIM_WITHIN: Duration = Duration::seconds(5);

/// Whether `current` already is what `decided` would make it, written by a copy of the same
/// request that won the race: a live claim by the same holder expiring within
/// [`SAME_CLAIM_WITHIN`] of the decided expiry. The holder sending the same claim or renewal
/// several times at once then gets success from every copy, not a lost race.
pub fn already_applied(current: &SessionLifecycle, decided: &SessionLifecycle) -> bool {
    match (current, decided) {
        (SessionLifecycle::Claimed(current), SessionLifecycle::Claimed(decided)) => {
            current.holder == decided.holder
                && (current.expires_at - decided.expires_at).abs() <= SAME_CLAIM_WITHIN
        }
        _ => false,
    }
}

fn claimed(instructor: UserId, now: DateTime<Utc>, claim_time: Duration) -> SessionLifecycle {
    SessionLifecycle::Claimed(Claim {
        holder: instructor,
        expires_at: now + claim_time,
    })
}

fn held_by(
    session: &ScheduledSession,
    instructor: UserId,
    now: DateTime<Utc>,
) -> Result<Claim, Refusal> {
    match session.state_at(now) {
        SessionState::Pending => Err(Refusal::NotHeld),
        SessionState::Claimed => match session.live_claim_at(now) {
            Some(claim) if claim.holder == instructor => Ok(*claim),
            Some(claim) => Err(Refusal::HeldByOther {
                holder: claim.holder,
                expires_at: claim.expires_at,
            }),
            None => Err(Refusal::NotHeld),
        },
        closed => Err(Refusal::Closed(closed)),
    }
}

#[cfg(test)]
mod twin_tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{Cancellation, Claim};

    fn claim(holder: i32, expires_at: DateTime<Utc>) -> SessionLifecycle {
        SessionLifecycle::Claimed(Claim {
            holder: UserId(holder),
            expires_at,
        })
    }

    #[test]
    fn only_a_claim_by_the_same_holder_expiring_within_five_seconds_is_a_twin() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        assert!(already_applied(&claim(1, at), &claim(1, at)));
        assert!(already_applied(
            &claim(1, at + Duration::seconds(5)),
            &claim(1, at)
        ));
        assert!(already_applied(
            &claim(1, at - Duration::seconds(5)),
            &claim(1, at)
        ));
        assert!(!already_applied(
            &claim(1, at + Duration::seconds(6)),
            &claim(1, at)
        ));
        assert!(!already_applied(&claim(2, at), &claim(1, at)));
        assert!(!already_applied(&SessionLifecycle::Pending, &claim(1, at)));
        assert!(!already_applied(&claim(1, at), &SessionLifecycle::Pending));
        let cancelled = SessionLifecycle::Cancelled(Cancellation {
            cancelled_at: at,
            reason: None,
        });
        assert!(!already_applied(&cancelled, &cancelled));
    }
}
