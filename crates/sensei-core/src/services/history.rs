//! History: closed sessions for instructors, a student's own sessions, a session's timeline.

use chrono::{DateTime, Utc};

use crate::domain::{
    Actor, CancelReason, ListOrder, Notes, Page, PageRequest, Reader, Role, ScheduledSessionId,
    SessionEvent, SessionListEntry, SessionQuery, SessionState, StatusFilter, SubmissionId,
};
use crate::error::{QueryError, Resource};

use super::instructor::SessionListing;
use super::{SenseiService, TIMELINE_EVENTS};

/// A session as its student sees it: never the instructors' private notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentSession {
    /// The session.
    pub id: ScheduledSessionId,
    /// The submission it is about.
    pub submission_id: SubmissionId,
    /// The challenge's name.
    pub challenge_name: String,
    /// When it was booked.
    pub scheduled_at: DateTime<Utc>,
    /// Its state now.
    pub state: SessionState,
    /// When it was completed, if it was.
    pub completed_at: Option<DateTime<Utc>>,
    /// The instructor's notes for the student, if completed with some.
    pub student_notes: Option<Notes>,
    /// When the student cancelled it, if they did.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Their reason, if they gave one.
    pub cancel_reason: Option<CancelReason>,
    /// The meeting details of the instructor who holds it now, if they gave any.
    pub meeting: Option<crate::domain::Meeting>,
    /// Where it stands in the queue while open (position and expected wait, or with an
    /// instructor); `None` once closed.
    pub place: Option<crate::domain::QueuePlace>,
    /// The live claim's holder (to match meeting details; not shown).
    holder: Option<crate::domain::UserId>,
}

impl StudentSession {
    fn from_entry(entry: SessionListEntry, now: DateTime<Utc>) -> Self {
        let session = entry.session;
        let completion = session.completion().cloned();
        let cancellation = session.cancellation().cloned();
        let holder = session.live_claim_at(now).map(|claim| claim.holder);
        StudentSession {
            id: session.id,
            submission_id: session.submission_id,
            challenge_name: entry.challenge_name,
            scheduled_at: session.scheduled_at,
            state: session.state_at(now),
            completed_at: completion
                .as_ref()
                .map(|completion| completion.completed_at),
            student_notes: completion.and_then(|completion| completion.student_notes),
            cancelled_at: cancellation
                .as_ref()
                .map(|cancellation| cancellation.cancelled_at),
            cancel_reason: cancellation.and_then(|cancellation| cancellation.reason),
            meeting: None,
            place: None,
            holder,
        }
    }
}

/// A session with its events, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The session.
    pub entry: SessionListEntry,
    /// Its events (rows the platform wrote before events were kept have none).
    pub events: Vec<SessionEvent>,
    /// When it was read: its claim is live or expired as of this instant.
    pub as_of: DateTime<Utc>,
}

/// A page of the student's own sessions, with the instant their states are as of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentSessions {
    /// The page.
    pub page: Page<StudentSession>,
    /// When it was read.
    pub as_of: DateTime<Utc>,
}

impl SenseiService {
    /// Completed and cancelled sessions, newest first, with the instructors' filters (state
    /// completed, cancelled or both; student; challenge; completed by; booking dates) and the
    /// total. An open-state filter is read as both closed states.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the reader reads as an instructor;
    /// [`QueryError::Repository`].
    /// [`QueryError::InvalidText`] when the student filter holds a NUL character.
    pub async fn history(
        &self,
        reader: impl Into<Reader>,
        filters: SessionQuery,
        page: PageRequest,
    ) -> Result<SessionListing, QueryError> {
        if !reader.into().reads_as_instructor() {
            return Err(QueryError::Forbidden(Resource::ScheduledSession));
        }
        filters.check_text()?;
        let status = match filters.status {
            StatusFilter::Completed => StatusFilter::Completed,
            StatusFilter::Cancelled => StatusFilter::Cancelled,
            _ => StatusFilter::Closed,
        };
        let as_of = self.ports.clock.now();
        let query = SessionQuery {
            status,
            order: ListOrder::NewestFirst,
            as_of: Some(as_of),
            ..filters
        };
        let total = self.ports.sessions.count(&query).await?;
        let page = self.ports.sessions.list(&query, page).await?;
        Ok(SessionListing { total, page, as_of })
    }

    /// The student's own sessions, newest first, in every state; with the notes meant for
    /// them and never the private ones.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless a student; [`QueryError::Repository`].
    pub async fn my_sessions(
        &self,
        actor: Actor,
        page: PageRequest,
    ) -> Result<StudentSessions, QueryError> {
        if actor.role != Role::Student {
            return Err(QueryError::Forbidden(Resource::ScheduledSession));
        }
        let now = self.ports.clock.now();
        let query = SessionQuery {
            status: StatusFilter::All,
            student: Some(actor.user_id),
            order: ListOrder::NewestFirst,
            as_of: Some(now),
            ..SessionQuery::default()
        };
        let page = self.ports.sessions.list(&query, page).await?;
        let mut items: Vec<StudentSession> = page
            .items
            .into_iter()
            .map(|entry| StudentSession::from_entry(entry, now))
            .collect();
        self.add_meetings(&mut items).await?;
        let open: Vec<_> = items
            .iter()
            .map(|item| (item.id, item.state, item.scheduled_at))
            .collect();
        let mut places = self.places(&open, now).await?;
        for item in &mut items {
            item.place = places.remove(&item.id);
        }
        Ok(StudentSessions {
            page: Page {
                items,
                next: page.next,
            },
            as_of: now,
        })
    }

    /// Fills in the meeting details of the held sessions (one read, only when some are held).
    async fn add_meetings(&self, items: &mut [StudentSession]) -> Result<(), QueryError> {
        let held: Vec<ScheduledSessionId> = items
            .iter()
            .filter(|item| item.holder.is_some())
            .map(|item| item.id)
            .collect();
        if held.is_empty() {
            return Ok(());
        }
        let stored = self.meetings.meetings(held).await?;
        for item in items.iter_mut() {
            item.meeting = stored
                .iter()
                .filter(|meeting| meeting.session_id == item.id)
                .find_map(|meeting| meeting.shown_for(item.holder))
                .cloned();
        }
        Ok(())
    }

    /// A session's event timeline, for instructors.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the reader reads as an instructor,
    /// [`QueryError::NotFound`], [`QueryError::Repository`].
    pub async fn timeline(
        &self,
        reader: impl Into<Reader>,
        id: ScheduledSessionId,
    ) -> Result<Timeline, QueryError> {
        if !reader.into().reads_as_instructor() {
            return Err(QueryError::Forbidden(Resource::ScheduledSession));
        }
        let entry = self.existing_session(id).await?;
        let events = self.ports.sessions.events(id, TIMELINE_EVENTS).await?;
        Ok(Timeline {
            entry,
            events,
            as_of: self.ports.clock.now(),
        })
    }
}
