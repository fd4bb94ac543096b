//! The scheduled sessions port over a vector. Check-and-insert and compare-and-set each run
//! under the one lock, which is what makes them atomic.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sensei_core::ports::{
    ClaimLimit, Clock, CreateOutcome, ScheduledSessionRepository, SystemClock, TransitionOutcome,
};
use sensei_core::{
    is_within_dedup_window, ChallengeId, EventKind, ListOrder, NewScheduledSession,
    NewSessionEvent, Page, PageRequest, RepositoryError, ScheduledSession, ScheduledSessionId,
    SessionEvent, SessionLifecycle, SessionListEntry, SessionQuery, SessionState, StatusFilter,
    SubmissionId, UserId,
};

use super::data::PlatformData;
use super::{next_id, InMemoryPlatform};

fn entry(data: &PlatformData, session: &ScheduledSession) -> SessionListEntry {
    let challenge_id = data
        .submission(session.submission_id)
        .map_or(ChallengeId(0), |submission| submission.challenge_id);
    let holder_email = match &session.lifecycle {
        SessionLifecycle::Claimed(claim) => Some(data.email(claim.holder)),
        _ => None,
    };
    SessionListEntry {
        session: session.clone(),
        student_email: data.email(session.user_id),
        challenge_id,
        challenge_name: data.challenge_name(challenge_id),
        holder_email,
    }
}

fn matches(query: &SessionQuery, entry: &SessionListEntry) -> bool {
    let state = entry
        .session
        .state_at(query.as_of.unwrap_or_else(|| SystemClock.now()));
    let status = match query.status {
        StatusFilter::Pending => state == SessionState::Pending,
        StatusFilter::Claimed => state == SessionState::Claimed,
        StatusFilter::Open => state.is_open(),
        StatusFilter::Completed => state == SessionState::Completed,
        StatusFilter::Cancelled => state == SessionState::Cancelled,
        StatusFilter::Closed => !state.is_open(),
        StatusFilter::All => true,
    };
    let student = query
        .student
        .is_none_or(|student| entry.session.user_id == student);
    let holder = query.claimed_by.is_none_or(|holder| {
        matches!(&entry.session.lifecycle, SessionLifecycle::Claimed(claim) if claim.holder == holder)
    });
    let completer = query.completed_by.is_none_or(|completer| {
        entry
            .session
            .completion()
            .is_some_and(|completion| completion.completed_by == Some(completer))
    });
    let booked = query
        .scheduled_from
        .is_none_or(|from| entry.session.scheduled_at >= from)
        && query
            .scheduled_before
            .is_none_or(|before| entry.session.scheduled_at < before);
    let reason = query
        .reason
        .is_none_or(|reason| entry.session.reason.known() == Some(reason));
    let challenge = query
        .challenge_id
        .is_none_or(|challenge| entry.challenge_id == challenge)
        && (query.challenge_ids.is_empty() || query.challenge_ids.contains(&entry.challenge_id));
    let email = query.student_email_contains.as_ref().is_none_or(|needle| {
        entry
            .student_email
            .to_lowercase()
            .contains(&needle.to_lowercase())
    });
    status && reason && challenge && email && student && holder && completer && booked
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
        max_open: u32,
    ) -> Result<CreateOutcome, RepositoryError> {
        let mut data = self.data();
        let recent = data
            .scheduled_sessions
            .iter()
            .filter(|row| row.user_id == new.user_id && row.submission_id == new.submission_id)
            .filter(|row| row.cancellation().is_none())
            .filter(|row| is_within_dedup_window(row.scheduled_at, window_start))
            .max_by_key(|row| (row.scheduled_at, row.id))
            .cloned();
        if let Some(existing) = recent {
            return Ok(CreateOutcome::Existing(existing));
        }
        let open = data
            .scheduled_sessions
            .iter()
            .filter(|row| row.user_id == new.user_id && row.is_open())
            .count();
        let open = u32::try_from(open).unwrap_or(u32::MAX);
        if open >= max_open {
            return Ok(CreateOutcome::TooManyOpen { open });
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
        data.events.push(NewSessionEvent::transition(
            EventKind::Booked,
            None,
            &session,
            Some(new.user_id),
            new.scheduled_at,
        ));
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
        let newest_first = query.order == ListOrder::NewestFirst;
        if newest_first {
            rows.reverse();
        }
        let size = usize::try_from(page.size.get()).unwrap_or(usize::MAX);
        let mut items: Vec<SessionListEntry> = rows
            .into_iter()
            .filter(|row| {
                page.after.is_none_or(|after| {
                    let key = (row.session.scheduled_at, row.session.id);
                    let cursor = (after.scheduled_at, after.id);
                    if newest_first {
                        key < cursor
                    } else {
                        key > cursor
                    }
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

    async fn transition(
        &self,
        id: ScheduledSessionId,
        expected: SessionLifecycle,
        next: SessionLifecycle,
        event: NewSessionEvent,
        claim_limit: Option<ClaimLimit>,
    ) -> Result<TransitionOutcome, RepositoryError> {
        let mut data = self.data();
        if let Some(limit) = claim_limit {
            let live = data
                .scheduled_sessions
                .iter()
                .filter(|row| row.id != id)
                .filter(|row| {
                    row.live_claim_at(limit.now)
                        .is_some_and(|claim| claim.holder == limit.instructor)
                })
                .count();
            let live = u32::try_from(live).unwrap_or(u32::MAX);
            if live >= limit.max {
                return Ok(TransitionOutcome::ClaimLimitReached { live });
            }
        }
        let Some(row) = data.scheduled_sessions.iter_mut().find(|row| row.id == id) else {
            return Ok(TransitionOutcome::NotFound);
        };
        if row.lifecycle != expected {
            return Ok(TransitionOutcome::Changed);
        }
        row.lifecycle = next;
        let applied = row.clone();
        data.events.push(event);
        Ok(TransitionOutcome::Applied(applied))
    }

    async fn events(
        &self,
        id: ScheduledSessionId,
        limit: u32,
    ) -> Result<Vec<SessionEvent>, RepositoryError> {
        let data = self.data();
        Ok(data
            .events
            .iter()
            .filter(|event| event.session_id == id)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|event| SessionEvent {
                session_id: event.session_id,
                occurred_at: event.occurred_at,
                actor: event.actor,
                actor_email: event.actor.map(|actor| data.email(actor)),
                kind: event.kind,
                from_state: event.from_state,
                to_state: event.to_state,
                detail: event.detail.clone(),
            })
            .collect())
    }
}
