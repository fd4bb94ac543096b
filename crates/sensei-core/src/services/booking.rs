//! Booking a sensei session.

use crate::domain::{
    evaluate_eligibility, Actor, Eligibility, EngagementSnapshot, NewScheduledSession, Role,
    ScheduledSession, SubmissionId,
};
use crate::error::BookError;
use crate::ports::{BookingFacts, CreateOutcome};

use super::SenseiService;

/// Whether a booking recorded a new session or found a recent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingOutcome {
    /// A new session was recorded.
    Created,
    /// A session booked within the dedup window already existed; it is shown instead.
    Duplicate,
}

/// The result of a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The new or existing session.
    pub session: ScheduledSession,
    /// Which of the two.
    pub outcome: BookingOutcome,
    /// When it was decided: a duplicate's claim is live or expired as of this instant.
    pub as_of: chrono::DateTime<chrono::Utc>,
}

impl SenseiService {
    /// Books a sensei session for the actor's own submission: checks ownership and
    /// eligibility, snapshots engagement, and records the session unless one (not cancelled)
    /// was booked within the dedup window (then returns that one) or the student already has
    /// the policy's number of open sessions (checked atomically with the dedup).
    ///
    /// # Errors
    /// [`BookError::Forbidden`] when the actor is not a student (before anything is read) or
    /// the submission is someone else's, [`BookError::NotFound`] for an unknown submission,
    /// [`BookError::Ineligible`] with the unmet conditions, [`BookError::TooManyOpen`] at the
    /// open-session limit, and [`BookError::Repository`] when a store fails.
    pub async fn book(
        &self,
        actor: Actor,
        submission_id: SubmissionId,
    ) -> Result<Booking, BookError> {
        // Only students book: anyone else is refused before anything is read.
        if actor.role != Role::Student {
            return Err(BookError::Forbidden);
        }
        // The submission and the student's goal progress, in one unit of work where the
        // store can.
        let BookingFacts { submission, goals } = self
            .ports
            .booking
            .booking_facts(submission_id, actor.user_id)
            .await?
            .ok_or(BookError::NotFound(submission_id.get()))?;
        if submission.owner != actor.user_id {
            return Err(BookError::Forbidden);
        }
        let engagement = EngagementSnapshot::from_progress(&goals);
        let reason = match evaluate_eligibility(
            submission.latest_verdict.as_ref(),
            &engagement,
            &self.policy,
        ) {
            Eligibility::Eligible(reason) => reason,
            Eligibility::Ineligible(why) => return Err(BookError::Ineligible(why)),
        };
        let now = self.ports.clock.now();
        let new = NewScheduledSession {
            submission_id,
            user_id: actor.user_id,
            reason,
            engagement,
            scheduled_at: now,
        };
        // "Less than one hour ago" is a duplicate, "exactly one hour ago" is not: the adapter
        // treats sessions strictly after the window start as recent.
        let window_start = self.policy.dedup_window_start(now);
        let max_open = self.policy.max_open_sessions();
        let booking = match self
            .ports
            .sessions
            .create_unless_recent(new, window_start, max_open)
            .await?
        {
            CreateOutcome::Created(session) => Booking {
                session,
                outcome: BookingOutcome::Created,
                as_of: now,
            },
            CreateOutcome::Existing(session) => Booking {
                session,
                outcome: BookingOutcome::Duplicate,
                as_of: now,
            },
            CreateOutcome::TooManyOpen { open } => {
                return Err(BookError::TooManyOpen {
                    open,
                    max: max_open,
                })
            }
        };
        Ok(booking)
    }
}
