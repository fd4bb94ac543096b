//! The scheduled sessions port over a vector. Check-and-insert and check-and-complete each run
//! under the one lock, which is what makes them atomic.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sensei_core::ports::{CompleteOutcome, CreateOutcome, ScheduledSessionRepository};
use sensei_core::{
    is_within_dedup_window, ChallengeId, Completion, NewScheduledSession, Page, PageRequest,
    RepositoryError, ScheduledSession, ScheduledSessionId, SessionLifecycle, SessionListEntry,
    SessionQuery, StatusFilter, SubmissionId, UserId,
};

use super::data::PlatformData;
use super::{next_id, InMemoryPlatform};

fn entry(data: &PlatformData, session: &ScheduledSession) -> SessionListEntry {
    let challenge_id = data
        .submission(session.submission_id)
        .map_or(ChallengeId(0), |submission| submission.challenge_id);
    SessionListEntry {
        session: session.clone(),
        student_email: data.email(session.user_id),
        challenge_id,
        challenge_name: data.challenge_name(challenge_id),
    }
}

fn matches(query: &SessionQuery, entry: &SessionListEntry) -> bool {
    let status = match query.status {
        StatusFilter::Pending => entry.session.is_pending(),
        StatusFilter::Completed => !entry.session.is_pending(),
        StatusFilter::All => true,
    };
    let reason = query
        .reason
        .is_none_or(|reason| entry.session.reason.known() == Some(reason));
    let challenge = query
        .challenge_id
        .is_none_or(|challenge| entry.challenge_id == challenge);
    let email = query.student_email_contains.as_ref().is_none_or(|needle| {
        entry
            .student_email
            .to_lowercase()
            .contains(&needle.to_lowercase())
    });
    status && reason && challenge && email
}

fn filtered(data: &PlatformData, query: &SessionQuery) -> Vec<SessionListEntry> {
    data.scheduled_sessions
        .iter()
        .map(|session| entry(data, session))
        .filter(|entry| matches(query, entry))
        .collect()
}

#[async_trait]
impl ScheduledSessionRepository for InMemoryPlatform {
    async fn create_unless_recent(
        &self,
        new: NewScheduledSession,
        window_start: DateTime<Utc>,
    ) -> Result<CreateOutcome, RepositoryError> {
        let mut data = self.data();
        let recent = data
            .scheduled_sessions
            .iter()
            .filter(|row| row.user_id == new.user_id && row.submission_id == new.submission_id)
            .filter(|row| is_within_dedup_window(row.scheduled_at, window_start))
            .max_by_key(|row| (row.scheduled_at, row.id))
            .cloned();
        if let Some(existing) = recent {
            return Ok(CreateOutcome::Existing(existing));
        }
        let id = next_id(data.scheduled_sessions.iter().map(|row| row.id.get()));
        let session = ScheduledSession {
            id: ScheduledSessionId(id),
            submission_id: new.submission_id,
            user_id: new.user_id,
            reason: new.reason.into(),
            engagement: new.engagement,
            scheduled_at: new.scheduled_at,
            lifecycle: SessionLifecycle::Pending,
        };
        data.scheduled_sessions.push(session.clone());
        Ok(CreateOutcome::Created(session))
    }

    async fn get(
        &self,
        id: ScheduledSessionId,
    ) -> Result<Option<SessionListEntry>, RepositoryError> {
        let data = self.data();
        Ok(data
            .scheduled_sessions
            .iter()
            .find(|row| row.id == id)
            .map(|session| entry(&data, session)))
    }

    async fn latest_for(
        &self,
        user_id: UserId,
        submission_id: SubmissionId,
    ) -> Result<Option<ScheduledSession>, RepositoryError> {
        Ok(self
            .data()
            .scheduled_sessions
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
        let mut rows = filtered(&self.data(), query);
        rows.sort_by_key(|row| (row.session.scheduled_at, row.session.id));
        let size = usize::try_from(page.size.get()).unwrap_or(usize::MAX);
        let mut items: Vec<SessionListEntry> = rows
            .into_iter()
            .filter(|row| {
                page.after.is_none_or(|after| {
                    (row.session.scheduled_at, row.session.id) > (after.scheduled_at, after.id)
                })
            })
            .take(size.saturating_add(1))
            .collect();
        let next = if items.len() > size {
            items.truncate(size);
            items.last().map(|last| sensei_core::SessionCursor {
                scheduled_at: last.session.scheduled_at,
                id: last.session.id,
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn count(&self, query: &SessionQuery) -> Result<u64, RepositoryError> {
        let count = filtered(&self.data(), query).len();
        Ok(u64::try_from(count).unwrap_or(u64::MAX))
    }

    async fn complete_if_pending(
        &self,
        id: ScheduledSessionId,
        completion: Completion,
    ) -> Result<CompleteOutcome, RepositoryError> {
        let mut data = self.data();
        let Some(row) = data.scheduled_sessions.iter_mut().find(|row| row.id == id) else {
            return Ok(CompleteOutcome::NotFound);
        };
        if !row.is_pending() {
            return Ok(CompleteOutcome::AlreadyCompleted(row.clone()));
        }
        row.lifecycle = SessionLifecycle::Completed(completion);
        Ok(CompleteOutcome::Completed(row.clone()))
    }
}
