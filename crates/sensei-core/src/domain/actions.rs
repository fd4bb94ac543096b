//! What one instructor may do to one session at one instant, decided by the workflow's own
//! rules ([`super::workflow`]) so that pages and the API only show the verdicts: a button is
//! offered exactly where the use case would accept it.

use chrono::{DateTime, Utc};

use super::ids::UserId;
use super::session::{Completion, ScheduledSession, SessionState};
use super::workflow::{decide_claim, decide_complete, decide_renew, Refusal};

/// The verdicts for one instructor on one session, as of one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructorActions {
    /// The session's state at that instant (a lapsed claim reads as pending).
    pub state: SessionState,
    /// Claim is offered: nobody holds a live claim and the session is open.
    pub claim: bool,
    /// Renew and Release are offered: the instructor holds the live claim.
    pub held_by_viewer: bool,
    /// Completion is offered: open, and not held by someone else.
    pub complete: bool,
    /// Why the instructor may do nothing to it: another instructor's live claim, or closed.
    pub refusal: Option<Refusal>,
}

impl InstructorActions {
    /// The verdicts for `instructor` on `session` at `now`.
    pub fn decide(session: &ScheduledSession, instructor: UserId, now: DateTime<Utc>) -> Self {
        // The length of a claim does not change whether one may be taken.
        let claim_time = chrono::Duration::zero();
        let held_by_viewer = decide_renew(session, instructor, now, claim_time).is_ok();
        let claim = decide_claim(session, instructor, now, claim_time);
        let completion = Completion {
            completed_at: now,
            completed_by: Some(instructor),
            notes: None,
            student_notes: None,
        };
        let complete = decide_complete(session, instructor, now, completion);
        Self {
            state: session.state_at(now),
            // Claiming a session one holds is a renewal, offered as Renew.
            claim: claim.is_ok() && !held_by_viewer,
            held_by_viewer,
            complete: complete.is_ok(),
            refusal: claim.err(),
        }
    }

    /// The live claim's holder and expiry when another instructor holds it.
    pub fn held_by_other(&self) -> Option<(UserId, DateTime<Utc>)> {
        match self.refusal {
            Some(Refusal::HeldByOther { holder, expires_at }) => Some((holder, expires_at)),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
