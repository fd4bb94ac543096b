//! Completing a session.

use crate::domain::{Actor, Completion, Notes, NotesError, ScheduledSession, ScheduledSessionId};
use crate::error::CompleteError;
use crate::ports::CompleteOutcome;

use super::SenseiService;

impl SenseiService {
    /// Marks a pending session completed now, with optional notes (trimmed; blank means none;
    /// at most 10,000 characters).
    ///
    /// # Errors
    /// [`CompleteError::Forbidden`] unless the actor is an instructor,
    /// [`CompleteError::NotFound`], [`CompleteError::AlreadyCompleted`] (the first completion
    /// is kept), [`CompleteError::InvalidNotes`] for notes over the limit on a pending session
    /// (nothing saved), [`CompleteError::Repository`] when the store fails.
    pub async fn complete(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        raw_notes: &str,
    ) -> Result<ScheduledSession, CompleteError> {
        if !actor.is_instructor() {
            return Err(CompleteError::Forbidden);
        }
        let notes = match Notes::parse(raw_notes) {
            Ok(notes) => notes,
            Err(invalid) => return Err(self.refusal_for_invalid_notes(id, invalid).await),
        };
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

    /// Notes were refused: a missing or already completed session is the more useful answer
    /// (404/409 rather than "shorten your notes" for a session that cannot be completed anyway).
    async fn refusal_for_invalid_notes(
        &self,
        id: ScheduledSessionId,
        invalid: NotesError,
    ) -> CompleteError {
        match self.ports.sessions.get(id).await {
            Ok(None) => CompleteError::NotFound(id),
            Ok(Some(entry)) if !entry.session.is_pending() => {
                CompleteError::AlreadyCompleted(Box::new(entry.session))
            }
            Ok(Some(_)) => CompleteError::InvalidNotes(invalid),
            Err(failure) => CompleteError::Repository(failure),
        }
    }
}
