//! An in-memory sessions store that follows the port's contract, for tests that need state.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    is_within_dedup_window, ChallengeId, Completion, NewScheduledSession, Page, PageRequest,
    ScheduledSession, ScheduledSessionId, SessionLifecycle, SessionListEntry, SessionQuery,
    StatusFilter, SubmissionId, UserId,
};
use crate::error::RepositoryError;
use crate::ports::{CompleteOutcome, CreateOutcome, ScheduledSessionRepository};

use super::recorded;

#[derive(Default)]
pub(super) struct FakeSessions {
    rows: Mutex<Vec<ScheduledSession>>,
}

impl FakeSessions {
    pub fn with(rows: Vec<ScheduledSession>) -> Self {
        Self {
            rows: Mutex::new(rows),
        }
    }

    pub fn rows(&self) -> Vec<ScheduledSession> {
        self.rows.lock().unwrap().clone()
    }

    fn entry(session: ScheduledSession) -> SessionListEntry {
        SessionListEntry {
            session,
            student_email: "alice@example.com".to_owned(),
            challenge_id: ChallengeId(3),
            challenge_name: "Linked lists".to_owned(),
        }
    }

    fn matches(query: &SessionQuery, session: &ScheduledSession) -> bool {
        match query.status {
            StatusFilter::Pending => session.is_pending(),
            StatusFilter::Completed => !session.is_pending(),
            StatusFilter::All => true,
        }
    }
}

#[async_trait]
impl ScheduledSessionRepository for FakeSessions {
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
    ) -> Result<CreateOutcome, RepositoryError> {
        // One lock around check and insert: atomic.
        let mut rows = self.rows.lock().unwrap();
        let latest_recent = rows
            .iter()
            .filter(|row| row.user_id == new.user_id && row.submission_id == new.submission_id)
            .filter(|row| is_within_dedup_window(row.scheduled_at, window_start))
            .max_by_key(|row| (row.scheduled_at, row.id))
            .cloned();
        if let Some(existing) = latest_recent {
            return Ok(CreateOutcome::Existing(existing));
        }
        let id = rows.iter().map(|row| row.id.get()).max().unwrap_or(0) + 1;
        let session = recorded(&new, id);
        rows.push(session.clone());
        Ok(CreateOutcome::Created(session))
    }

    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError> {
        let rows = self.rows.lock().unwrap();
        Ok(rows
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
        let rows = self.rows.lock().unwrap();
        Ok(rows
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
            .rows
            .lock()
            .unwrap()
            .iter()
            .filter(|row| Self::matches(query, row))
            .cloned()
            .collect();
        rows.sort_by_key(|row| (row.scheduled_at, row.id));
        let items = rows
            .into_iter()
            .take(page.size.get() as usize)
            .map(Self::entry)
            .collect();
        Ok(Page { items, next: None })
    }

    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError> {
        let rows = self.rows.lock().unwrap();
        Ok(rows.iter().filter(|row| Self::matches(query, row)).count() as u64)
    }

    async fn complete_if_pending(
        &self,
        id: ScheduledSessionId,
        completion: Completion,
    ) -> Result<CompleteOutcome, RepositoryError> {
        let mut rows = self.rows.lock().unwrap();
        let Some(row) = rows.iter_mut().find(|row| row.id == id) else {
            return Ok(CompleteOutcome::NotFound);
        };
        if !row.is_pending() {
            return Ok(CompleteOutcome::AlreadyCompleted(row.clone()));
        }
        row.lifecycle = SessionLifecycle::Completed(completion);
        Ok(CompleteOutcome::Completed(row.clone()))
    }
}
