//! The instructor workflow: claim, renew, release (instructors) and cancel (the owning
//! student).

use crate::domain::workflow::{decide_cancel, decide_claim, decide_release, decide_renew, Refusal};
use crate::domain::{
    Actor, CancelReason, EventKind, Meeting, Role, ScheduledSession, ScheduledSessionId,
    SessionListEntry,
};
use crate::error::{CancelError, ClaimError, HeldBy};

use super::transition::TransitionFailure;
use super::SenseiService;

impl TransitionFailure for ClaimError {
    fn not_found(id: ScheduledSessionId) -> Self {
        ClaimError::NotFound(id)
    }

    fn claim_limit(live: u32, max: u32) -> Self {
        ClaimError::TooManyClaims { live, max }
    }
}

impl TransitionFailure for CancelError {
    fn not_found(id: ScheduledSessionId) -> Self {
        CancelError::NotFound(id)
    }

    fn claim_limit(_live: u32, _max: u32) -> Self {
        CancelError::Forbidden
    }
}

/// How a refusal names the holder: their email when known, else their id.
pub(super) fn held_by(entry: &SessionListEntry, refusal: Refusal) -> Option<HeldBy> {
    match refusal {
        Refusal::HeldByOther { holder, expires_at } => Some(HeldBy {
            session: entry.session.id,
            holder: entry
                .holder_email
                .clone()
                .unwrap_or_else(|| format!("instructor {holder}")),
            expires_at,
        }),
        _ => None,
    }
}

fn claim_refusal(entry: &SessionListEntry, refusal: Refusal) -> ClaimError {
    let id = entry.session.id;
    match refusal {
        Refusal::HeldByOther { .. } => {
            held_by(entry, refusal).map_or(ClaimError::NotHeld(id), ClaimError::HeldByOther)
        }
        Refusal::NotHeld => ClaimError::NotHeld(id),
        Refusal::Closed(state) => ClaimError::Closed { id, state },
    }
}

impl SenseiService {
    /// Claims a pending session (or one whose claim expired) for the policy's claim time, so
    /// that no other instructor answers the same student; claiming a session the instructor
    /// already holds renews it.
    ///
    /// # Errors
    /// [`ClaimError::Forbidden`] unless an instructor, [`ClaimError::NotFound`],
    /// [`ClaimError::HeldByOther`] naming the holder and expiry, [`ClaimError::Closed`],
    /// [`ClaimError::TooManyClaims`] at the policy's limit, [`ClaimError::Repository`].
    pub async fn claim(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
    ) -> Result<ScheduledSession, ClaimError> {
        let instructor = instructor(actor)?;
        let claim_time = self.policy.claim_time();
        self.apply_transition(
            id,
            instructor,
            Some(self.policy.max_live_claims()),
            |entry, now| {
                let renewing = entry
                    .session
                    .live_claim_at(now)
                    .is_some_and(|claim| claim.holder == instructor);
                let kind = if renewing {
                    EventKind::Renewed
                } else {
                    EventKind::Claimed
                };
                decide_claim(&entry.session, instructor, now, claim_time)
                    .map(|next| (kind, next))
                    .map_err(|refusal| claim_refusal(entry, refusal))
            },
        )
        .await
    }

    /// [`SenseiService::claim`] with the instructor's meeting details (a link and a time, both
    /// optional; `None` removes earlier ones). The details are stored first, under the
    /// instructor: they show only while that instructor holds the session, so a claim that
    /// fails shows nothing, and the claim's email, rendered later, finds them.
    ///
    /// # Errors
    /// As [`SenseiService::claim`].
    pub async fn claim_with_meeting(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        meeting: Option<Meeting>,
    ) -> Result<ScheduledSession, ClaimError> {
        let instructor = instructor(actor)?;
        self.meetings.set_meeting(id, instructor, meeting).await?;
        self.claim(actor, id).await
    }

    /// Renews the instructor's live claim: the expiry restarts from now.
    ///
    /// # Errors
    /// [`ClaimError::NotHeld`] when they hold no live claim on it, and as
    /// [`SenseiService::claim`].
    pub async fn renew_claim(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
    ) -> Result<ScheduledSession, ClaimError> {
        let instructor = instructor(actor)?;
        let claim_time = self.policy.claim_time();
        self.apply_transition(id, instructor, None, |entry, now| {
            decide_renew(&entry.session, instructor, now, claim_time)
                .map(|next| (EventKind::Renewed, next))
                .map_err(|refusal| claim_refusal(entry, refusal))
        })
        .await
    }

    /// Releases the instructor's live claim: the session is pending again for everyone.
    ///
    /// # Errors
    /// As [`SenseiService::renew_claim`].
    pub async fn release_claim(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
    ) -> Result<ScheduledSession, ClaimError> {
        let instructor = instructor(actor)?;
        self.apply_transition(id, instructor, None, |entry, now| {
            decide_release(&entry.session, instructor, now)
                .map(|next| (EventKind::Released, next))
                .map_err(|refusal| claim_refusal(entry, refusal))
        })
        .await
    }

    /// The owning student cancels their pending or claimed session, with an optional reason
    /// (at most 500 characters). A cancelled session leaves the queue and does not count as
    /// a duplicate, so the student may book again.
    ///
    /// # Errors
    /// [`CancelError::InvalidReason`] (nothing changed), [`CancelError::NotFound`],
    /// [`CancelError::Forbidden`] for anyone but the student who booked it (instructors
    /// included), [`CancelError::Closed`] when completed or already cancelled,
    /// [`CancelError::Repository`].
    pub async fn cancel(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        raw_reason: &str,
    ) -> Result<ScheduledSession, CancelError> {
        let reason = CancelReason::parse(raw_reason)?;
        if actor.role != Role::Student {
            return Err(CancelError::Forbidden);
        }
        self.apply_transition(id, actor.user_id, None, |entry, now| {
            if entry.session.user_id != actor.user_id {
                return Err(CancelError::Forbidden);
            }
            decide_cancel(&entry.session, now, reason.clone())
                .map(|next| (EventKind::Cancelled, next))
                .map_err(|refusal| match refusal {
                    Refusal::Closed(state) => CancelError::Closed {
                        id: entry.session.id,
                        state,
                    },
                    _ => CancelError::Forbidden,
                })
        })
        .await
    }
}

fn instructor(actor: Actor) -> Result<crate::domain::UserId, ClaimError> {
    if actor.is_instructor() {
        Ok(actor.user_id)
    } else {
        Err(ClaimError::Forbidden)
    }
}
