//! Completing a session.

use crate::domain::{Actor, Completion, Notes, ScheduledSession, ScheduledSessionId};
use crate::error::CompleteError;
use crate::ports::CompleteOutcome;

use super::SenseiService;

impl SenseiService {
    /// Marks a pending session completed now, with optional notes (trimmed; blank means none;
    /// at most 10,000 characters).
    ///
    /// # Errors
    /// [`CompleteError::Forbidden`] unless the actor is an instructor,
    /// [`CompleteError::InvalidNotes`] for notes over the limit (nothing saved),
    /// [`CompleteError::NotFound`], [`CompleteError::AlreadyCompleted`] (the first completion
    /// is kept), [`CompleteError::Repository`] when the store fails.
    pub async fn complete(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        raw_notes: &str,
    ) -> Result<ScheduledSession, CompleteError> {
        if !actor.is_instructor() {
            return Err(CompleteError::Forbidden);
        }
        let notes = Notes::parse(raw_notes)?;
        let completion = Completion {
            completed_at: self.ports.clock.now(),
            notes,
        };
        match self
            .ports
            .sessions
            .complete_if_pending(id, completion)
            .await?
        {
            CompleteOutcome::Completed(session) => Ok(session),
            CompleteOutcome::AlreadyCompleted(session) => {
                Err(CompleteError::AlreadyCompleted(Box::new(session)))
            }
            CompleteOutcome::NotFound => Err(CompleteError::NotFound(id)),
        }
    }
}
