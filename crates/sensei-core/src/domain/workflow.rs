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
