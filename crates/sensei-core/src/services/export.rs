//! Exports: every session matching the instructors' filters, read page by page so that an
//! adapter can stream any number of rows in the memory of one page.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{
    Actor, ListOrder, PageRequest, PageSize, SessionCursor, SessionListEntry, SessionQuery,
    MAX_PAGE_SIZE,
};
use crate::error::{QueryError, Resource};
use crate::ports::ScheduledSessionRepository;

use super::SenseiService;

/// An export under way: its filters, the instant claims are judged at (fixed for the whole
/// export, so every row's state is as of one moment) and where the next page starts.
///
/// Pages follow the queue's keyset order (oldest booking first, then id), so a session is
/// never listed twice nor skipped while others are booked or change state during the
/// export; one booked after it started may or may not appear.
pub struct SessionExport {
    sessions: Arc<dyn ScheduledSessionRepository>,
    query: SessionQuery,
    as_of: DateTime<Utc>,
    size: PageSize,
    after: Option<SessionCursor>,
    finished: bool,
}

impl SessionExport {
    /// The instant every row's state is judged at.
    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    /// The next page of rows, or `None` once every matching session was returned. Each call
    /// is one read of at most one page.
    ///
    /// # Errors
    /// [`QueryError::Repository`] when the store fails; the export cannot go on after that
    /// (a later call starts again after the last page returned).
    pub async fn next_page(&mut self) -> Result<Option<Vec<SessionListEntry>>, QueryError> {
        if self.finished {
            return Ok(None);
        }
        let page = self
            .sessions
            .list(
                &self.query,
                PageRequest {
                    size: self.size,
                    after: self.after,
                },
            )
            .await?;
        match page.next {
            Some(next) => self.after = Some(next),
            None => self.finished = true,
        }
        if page.items.is_empty() {
            self.finished = true;
            return Ok(None);
        }
        Ok(Some(page.items))
    }
}

impl SenseiService {
    /// Starts an export of every session matching `filters` (state, reason, challenge,
    /// student, holder, completer, booking dates, as given), oldest booking first, with
    /// claims judged live or expired as of now. Nothing is read until
    /// [`SessionExport::next_page`].
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the actor is an instructor.
    /// [`QueryError::InvalidText`] when the student filter holds a NUL character.
    pub fn export(&self, actor: Actor, filters: SessionQuery) -> Result<SessionExport, QueryError> {
        if !actor.is_instructor() {
            return Err(QueryError::Forbidden(Resource::ScheduledSession));
        }
        filters.check_text()?;
        let as_of = self.ports.clock.now();
        Ok(SessionExport {
            sessions: self.ports.sessions.clone(),
            query: SessionQuery {
                as_of: Some(as_of),
                order: ListOrder::OldestFirst,
                ..filters
            },
            as_of,
            size: PageSize::new(MAX_PAGE_SIZE).unwrap_or_default(),
            after: None,
            finished: false,
        })
    }
}
