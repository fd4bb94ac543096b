//! An in-memory sessions store that follows the port's contract, for tests that need state:
//! atomic create-unless-recent with the open-session limit, compare-and-set transitions with
//! their events and the claim limit, and the list filters judged at `as_of`.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    is_within_dedup_window, ChallengeId, ListOrder, NewScheduledSession, NewSessionEvent, Page,
    PageRequest, ScheduledSession, ScheduledSessionId, SessionEvent, SessionLifecycle,
    SessionListEntry, SessionQuery, SessionState, StatusFilter, SubmissionId, UserId,
};
use crate::error::RepositoryError;
use crate::ports::{ClaimLimit, CreateOutcome, ScheduledSessionRepository, TransitionOutcome};

use super::recorded;

#[derive(Default)]
struct Store {
    rows: Vec<ScheduledSession>,
    events: Vec<NewSessionEvent>,
}

#[derive(Default)]
pub(super) struct FakeSessions {
    store: Mutex<Store>,
}

impl FakeSessions {
    pub fn with(rows: Vec<ScheduledSession>) -> Self {
        Self {
            store: Mutex::new(Store {
                rows,
                events: Vec::new(),
            }),
        }
    }

    pub fn rows(&self) -> Vec<ScheduledSession> {
        self.store.lock().unwrap().rows.clone()
    }

    pub fn recorded_events(&self) -> Vec<NewSessionEvent> {
        self.store.lock().unwrap().events.clone()
    }

    fn entry(session: ScheduledSession) -> SessionListEntry {
        let holder_email = match &session.lifecycle {
            SessionLifecycle::Claimed(claim) => {
                Some(format!("instructor{}@example.com", claim.holder))
            }
            _ => None,
        };
        SessionListEntry {
            session,
            student_email: "alice@example.com".to_owned(),
            challenge_id: ChallengeId(3),
            challenge_name: "Linked lists".to_owned(),
            holder_email,
        }
    }

    fn matches(query: &SessionQuery, session: &ScheduledSession) -> bool {
        let now = query.as_of.unwrap_or_else(Utc::now);
        let state = session.state_at(now);
        let by_state = match query.status {
            StatusFilter::Pending => state == SessionState::Pending,
            StatusFilter::Claimed => state == SessionState::Claimed,
            StatusFilter::Open => state.is_open(),
            StatusFilter::Completed => state == SessionState::Completed,
            StatusFilter::Cancelled => state == SessionState::Cancelled,
            StatusFilter::Closed => !state.is_open(),
            StatusFilter::All => true,
        };
        let by_holder = query.claimed_by.is_none_or(|holder| {
            matches!(&session.lifecycle, SessionLifecycle::Claimed(claim) if claim.holder == holder)
        });
        let by_student = query
            .student
            .is_none_or(|student| session.user_id == student);
        by_state && by_holder && by_student
    }
}

#[async_trait]
impl ScheduledSessionRepository for FakeSessions {
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
        max_open: u32,
    ) -> Result<CreateOutcome, RepositoryError> {
        // One lock around check and insert: atomic.
        let mut store = self.store.lock().unwrap();
        let latest_recent = store
            .rows
            .iter()
            .filter(|row| row.user_id == new.user_id && row.submission_id == new.submission_id)
            .filter(|row| row.cancellation().is_none())
            .filter(|row| is_within_dedup_window(row.scheduled_at, window_start))
            .max_by_key(|row| (row.scheduled_at, row.id))
            .cloned();
        if let Some(existing) = latest_recent {
            return Ok(CreateOutcome::Existing(existing));
        }
        let open = store
            .rows
            .iter()
            .filter(|row| row.user_id == new.user_id && row.is_open())
            .count() as u32;
        if open >= max_open {
            return Ok(CreateOutcome::TooManyOpen { open });
        }
        let id = store.rows.iter().map(|row| row.id.get()).max().unwrap_or(0) + 1;
        let session = recorded(&new, id);
        store.events.push(NewSessionEvent::transition(
            crate::domain::EventKind::Booked,
            None,
            &session,
            Some(new.user_id),
            new.scheduled_at,
        ));
        store.rows.push(session.clone());
        Ok(CreateOutcome::Created(session))
    }

    async fn transition(
        &self,
        id: ScheduledSessionId,
        expected: SessionLifecycle,
        next: SessionLifecycle,
        event: NewSessionEvent,
        claim_limit: Option<ClaimLimit>,
    ) -> Result<TransitionOutcome, RepositoryError> {
        let mut store = self.store.lock().unwrap();
        if let Some(limit) = claim_limit {
            let live = store
                .rows
                .iter()
                .filter(|row| row.id != id)
                .filter(|row| {
                    row.live_claim_at(limit.now)
                        .is_some_and(|claim| claim.holder == limit.instructor)
                })
                .count() as u32;
            if live >= limit.max {
                return Ok(TransitionOutcome::ClaimLimitReached { live });
            }
        }
        let Some(row) = store.rows.iter_mut().find(|row| row.id == id) else {
            return Ok(TransitionOutcome::NotFound);
        };
        if row.lifecycle != expected {
            return Ok(TransitionOutcome::Changed);
        }
        row.lifecycle = next;
        let applied = row.clone();
        store.events.push(event);
        Ok(TransitionOutcome::Applied(applied))
    }

    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError> {
        let store = self.store.lock().unwrap();
        Ok(store
            .rows
            .iter()
            .find(|row| row.id == id)
            .cloned()
            .map(Self::entry))
    }

    async fn latest_for(
        &self,
        user_id: UserId,
        submission_id: SubmissionId,
    ) -> Result<Option<ScheduledSession>, RepositoryError> {
        let store = self.store.lock().unwrap();
        Ok(store
            .rows
            .iter()
            .filter(|row| row.user_id == user_id && row.submission_id == submission_id)
            .max_by_key(|row| (row.scheduled_at, row.id))
            .cloned())
    }

    async fn list(
        &self,
        query: &SessionQuery,
        page: PageRequest,
    ) -> Result<Page<SessionListEntry>, RepositoryError> {
        let mut rows: Vec<_> = self
            .store
            .lock()
            .unwrap()
            .rows
            .iter()
            .filter(|row| Self::matches(query, row))
            .cloned()
            .collect();
        rows.sort_by_key(|row| (row.scheduled_at, row.id));
        if query.order == ListOrder::NewestFirst {
            rows.reverse();
        }
        let items = rows
            .into_iter()
            .take(page.size.get() as usize)
            .map(Self::entry)
            .collect();
        Ok(Page { items, next: None })
    }

    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError> {
        let store = self.store.lock().unwrap();
        Ok(store
            .rows
            .iter()
            .filter(|row| Self::matches(query, row))
            .count() as u64)
    }

    async fn events(
        &self,
        id: ScheduledSessionId,
        limit: u32,
    ) -> Result<Vec<SessionEvent>, RepositoryError> {
        let store = self.store.lock().unwrap();
        Ok(store
            .events
            .iter()
            .filter(|event| event.session_id == id)
            .take(limit as usize)
            .map(|event| SessionEvent {
                session_id: event.session_id,
                occurred_at: event.occurred_at,
                actor: event.actor,
                actor_email: None,
                kind: event.kind,
                from_state: event.from_state,
                to_state: event.to_state,
                detail: event.detail.clone(),
            })
            .collect())
    }
}
