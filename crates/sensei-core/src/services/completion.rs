//! Completing a session.

use crate::domain::workflow::{decide_complete, Refusal};
use crate::domain::{
    Actor, Completion, EventKind, Notes, NotesError, ScheduledSession, ScheduledSessionId,
    SessionState,
};
use crate::error::CompleteError;

use super::transition::TransitionFailure;
use super::workflow::held_by;
use super::SenseiService;

impl TransitionFailure for CompleteError {
    fn not_found(id: ScheduledSessionId) -> Self {
        CompleteError::NotFound(id)
    }

    fn claim_limit(_live: u32, _max: u32) -> Self {
        CompleteError::Forbidden
    }
}

impl SenseiService {
    /// Marks a session completed now, with optional private notes (the `notes` column; blank
    /// means none; at most 10,000 characters). See [`SenseiService::complete_with_notes`].
    ///
    /// # Errors
    /// As [`SenseiService::complete_with_notes`].
    pub async fn complete(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        raw_notes: &str,
    ) -> Result<ScheduledSession, CompleteError> {
        self.complete_with_notes(actor, id, raw_notes, "").await
    }

    /// Marks a session completed now, recording who completed it, with private notes for
    /// instructors and notes for the student (each trimmed, blank means none, at most 10,000
    /// characters). A pending session may be completed by any instructor; a claimed one only
    /// by its holder.
    ///
    /// # Errors
    /// [`CompleteError::Forbidden`] unless the actor is an instructor,
    /// [`CompleteError::NotFound`], [`CompleteError::AlreadyCompleted`] (the first completion
    /// is kept), [`CompleteError::Cancelled`], [`CompleteError::HeldByOther`] naming the
    /// holder, [`CompleteError::InvalidNotes`] for notes over the limit on an open session
    /// (nothing saved), [`CompleteError::Repository`] when the store fails.
    pub async fn complete_with_notes(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
        raw_notes: &str,
        raw_student_notes: &str,
    ) -> Result<ScheduledSession, CompleteError> {
        if !actor.is_instructor() {
            return Err(CompleteError::Forbidden);
        }
        let parsed = Notes::parse(raw_notes).and_then(|notes| {
            Notes::parse(raw_student_notes).map(|student_notes| (notes, student_notes))
        });
        let (notes, student_notes) = match parsed {
            Ok(both) => both,
            // Malformed text is refused as such, whatever the session (the text rule).
            Err(invalid @ NotesError::Nul(_)) => return Err(CompleteError::InvalidNotes(invalid)),
            Err(invalid) => return Err(self.refusal_for_invalid_notes(id, invalid).await),
        };
        let instructor = actor.user_id;
        self.apply_transition(id, instructor, None, |entry, now| {
            let completion = Completion {
                completed_at: now,
                completed_by: Some(instructor),
                notes: notes.clone(),
                student_notes: student_notes.clone(),
            };
            decide_complete(&entry.session, instructor, now, completion)
                .map(|next| (EventKind::Completed, next))
                .map_err(|refusal| match refusal {
                    Refusal::Closed(SessionState::Cancelled) => {
                        CompleteError::Cancelled(entry.session.id)
                    }
                    Refusal::Closed(_) => {
                        CompleteError::AlreadyCompleted(Box::new(entry.session.clone()))
                    }
                    other => held_by(entry, other)
                        .map_or(CompleteError::Forbidden, CompleteError::HeldByOther),
                })
        })
        .await
    }

    /// Notes were refused: a missing or closed session is the more useful answer (404/409
    /// rather than "shorten your notes" for a session that cannot be completed anyway).
    async fn refusal_for_invalid_notes(
        &self,
        id: ScheduledSessionId,
        invalid: NotesError,
    ) -> CompleteError {
        match self.ports.sessions.get(id).await {
            Ok(None) => CompleteError::NotFound(id),
            Ok(Some(entry)) if entry.session.completion().is_some() => {
                CompleteError::AlreadyCompleted(Box::new(entry.session))
            }
            Ok(Some(entry)) if entry.session.cancellation().is_some() => {
                CompleteError::Cancelled(id)
            }
            Ok(Some(_)) => CompleteError::InvalidNotes(invalid),
            Err(failure) => CompleteError::Repository(failure),
        }
    }
}
