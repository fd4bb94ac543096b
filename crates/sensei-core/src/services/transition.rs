//! Applying a workflow decision: read the session, decide with the rules
//! ([`crate::domain::workflow`]), and store the new lifecycle with its event through the
//! store's compare-and-set. When someone else changed the session in between, the decision is
//! made again on what they left, so concurrent requests resolve by the rules, not by luck.

use chrono::{DateTime, Utc};

use crate::domain::workflow::already_applied;
use crate::domain::{
    EventKind, NewSessionEvent, ScheduledSession, ScheduledSessionId, SessionLifecycle,
    SessionListEntry, UserId,
};
use crate::error::RepositoryError;
use crate::ports::{ClaimLimit, TransitionOutcome};

use super::SenseiService;

/// How many times a decision is made again after losing a race before giving up. Each race
/// has a winner, and a loser's next decision is usually a refusal (someone else holds it) or
/// its twin's success ([`already_applied`]), so this is rarely approached.
const ATTEMPTS: usize = 32;

/// A decision: the event and the lifecycle to store.
pub(super) type Decision = (EventKind, SessionLifecycle);

/// What a use case's error must be able to say about a transition.
pub(super) trait TransitionFailure: From<RepositoryError> {
    /// No such session.
    fn not_found(id: ScheduledSessionId) -> Self;
    /// The instructor is at the live-claims limit.
    fn claim_limit(live: u32, max: u32) -> Self;
}

impl SenseiService {
    /// Reads session `id`, lets `decide` choose the change (or refuse), and applies it with
    /// its event; `max_claims` checks the actor's live claims when the decision is a claim.
    pub(super) async fn apply_transition<E, D>(
        &self,
        id: ScheduledSessionId,
        actor: UserId,
        max_claims: Option<u32>,
        decide: D,
    ) -> Result<ScheduledSession, E>
    where
        E: TransitionFailure,
        D: Fn(&SessionListEntry, DateTime<Utc>) -> Result<Decision, E>,
    {
        for attempt in 0..ATTEMPTS {
            let now = self.ports.clock.now();
            let entry = self
                .ports
                .sessions
                .get(id)
                .await?
                .ok_or_else(|| E::not_found(id))?;
            let (kind, next) = decide(&entry, now)?;
            // After a lost race: a copy of this very request may have won it.
            if attempt > 0 && already_applied(&entry.session.lifecycle, &next) {
                return Ok(entry.session);
            }
            let after = ScheduledSession {
                lifecycle: next.clone(),
                ..entry.session.clone()
            };
            let event =
                NewSessionEvent::transition(kind, Some(&entry.session), &after, Some(actor), now);
            let limit = max_claims
                .filter(|_| kind == EventKind::Claimed)
                .map(|max| ClaimLimit {
                    instructor: actor,
                    max,
                    now,
                });
            match self
                .ports
                .sessions
                .transition(id, entry.session.lifecycle.clone(), next, event, limit)
                .await?
            {
                TransitionOutcome::Applied(session) => return Ok(session),
                TransitionOutcome::Changed => continue,
                TransitionOutcome::ClaimLimitReached { live } => {
                    return Err(E::claim_limit(live, max_claims.unwrap_or(live)))
                }
                TransitionOutcome::NotFound => return Err(E::not_found(id)),
            }
        }
        Err(RepositoryError::Unavailable(format!(
            "scheduled session {id} kept changing while this request was deciding; try again"
        ))
        .into())
    }
}
