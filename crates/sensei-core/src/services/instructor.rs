//! What an instructor sees: the queue, a session's detail, a submission's conversations.

use chrono::{DateTime, Utc};

use crate::domain::{
    Account, Actor, AgentSession, AnatomyConversation, EngagementSnapshot, GoalProgressEntry,
    InstructorActions, ListOrder, Page, PageRequest, Reader, ScheduledSessionId, SessionEvent,
    SessionListEntry, SessionQuery, SignInToken, StatusFilter, SubmissionId, SubmissionInfo,
    UserId,
};
use crate::error::{QueryError, Resource};
use crate::ports::{DashboardPlan, DashboardQueries, DashboardRead, SignedInRead};

use super::{
    preview, SenseiService, CONVERSATION_MESSAGES, DETAIL_AGENT_SESSIONS,
    DETAIL_MESSAGES_PER_SESSION, PREVIEW_CHARS, TIMELINE_EVENTS,
};

/// The instructor dashboard: stat cards and one page of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Pending sessions in all: open and not under a live claim, so a lapsed claim counts as
    /// pending, as with [`StatusFilter::Pending`] (the `Pending scheduled sessions` stat card).
    pub pending_count: u64,
    /// Completed sessions in all.
    pub completed_count: u64,
    /// Sessions the viewing instructor holds a live claim on (the `Claimed by me` card).
    pub claimed_by_me: u64,
    /// One page of open sessions matching the filters, oldest first, with their holders.
    pub page: Page<SessionListEntry>,
    /// What the viewing instructor may do to each session of `page`, in the same order.
    pub actions: Vec<InstructorActions>,
    /// When the page was read: claims are live or expired as of this instant.
    pub as_of: DateTime<Utc>,
}

impl Dashboard {
    /// The page's sessions with what the viewer may do to each.
    pub fn rows(&self) -> impl Iterator<Item = (&SessionListEntry, &InstructorActions)> {
        self.page.items.iter().zip(&self.actions)
    }
}

/// A filtered, paged session list with its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionListing {
    /// Rows matching the query in all.
    pub total: u64,
    /// This page.
    pub page: Page<SessionListEntry>,
    /// When the list was read: claims are live or expired as of this instant.
    pub as_of: DateTime<Utc>,
}

/// Everything the instructor needs to prepare a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDetail {
    /// The session with the student's email and challenge name.
    pub entry: SessionListEntry,
    /// The submission.
    pub submission: Option<SubmissionInfo>,
    /// Current goal progress.
    pub goals: Vec<GoalProgressEntry>,
    /// Engagement now (compare with the snapshot in `entry`).
    pub current_engagement: EngagementSnapshot,
    /// Digi-trainer sessions with message previews.
    pub agent_sessions: Vec<AgentSession>,
    /// The session's events, oldest first (the timeline; rows the platform wrote before
    /// events were kept have none).
    pub events: Vec<SessionEvent>,
    /// What the viewing instructor may do to the session, as of `as_of`.
    pub actions: InstructorActions,
    /// When the session was read: its claim is live or expired as of this instant.
    pub as_of: DateTime<Utc>,
}

/// A submission's anatomy conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionConversations {
    /// The submission.
    pub submission: SubmissionInfo,
    /// Its conversations.
    pub conversations: Vec<AnatomyConversation>,
}

fn require_instructor(reader: impl Into<Reader>, resource: Resource) -> Result<(), QueryError> {
    if reader.into().reads_as_instructor() {
        Ok(())
    } else {
        Err(QueryError::Forbidden(resource))
    }
}

/// The dashboard's queries for `viewer` at `now`: open sessions matching `filters` (whatever
/// status they name), oldest first; the viewer's live claims; and everyone's live claims.
fn dashboard_queries(
    viewer: UserId,
    filters: SessionQuery,
    now: DateTime<Utc>,
) -> DashboardQueries {
    DashboardQueries {
        queue: SessionQuery {
            status: StatusFilter::Open,
            as_of: Some(now),
            order: ListOrder::OldestFirst,
            ..filters
        },
        mine: SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(viewer),
            as_of: Some(now),
            ..SessionQuery::default()
        },
        claimed: SessionQuery {
            status: StatusFilter::Claimed,
            as_of: Some(now),
            ..SessionQuery::default()
        },
    }
}

fn dashboard_of(read: DashboardRead, viewer: UserId, now: DateTime<Utc>) -> Dashboard {
    let actions = read
        .page
        .items
        .iter()
        .map(|entry| InstructorActions::decide(&entry.session, viewer, now))
        .collect();
    Dashboard {
        // Pending is open minus claimed at the same instant: the open total comes from the
        // store's kept counter, so only the (few) live claims are counted per read.
        pending_count: read.open.saturating_sub(read.claimed),
        completed_count: read.completed,
        claimed_by_me: read.mine,
        page: read.page,
        actions,
        as_of: now,
    }
}

impl SenseiService {
    /// The dashboard: the pending and completed counts, the instructor's live claims, and one
    /// page of open sessions (pending or claimed, with holders) matching the filters; the
    /// status in `filters` is ignored (the queue is open sessions), `claimed_by` is the
    /// "mine" filter.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the actor is an instructor; [`QueryError::Repository`].
    /// [`QueryError::InvalidText`] when the student filter holds a NUL character.
    pub async fn dashboard(
        &self,
        actor: Actor,
        filters: SessionQuery,
        page: PageRequest,
    ) -> Result<Dashboard, QueryError> {
        require_instructor(actor, Resource::ScheduledSession)?;
        filters.check_text()?;
        let now = self.ports.clock.now();
        let queries = dashboard_queries(actor.user_id, filters, now);
        let read = self
            .ports
            .sessions
            .dashboard(&queries.queue, &queries.mine, &queries.claimed, page)
            .await?;
        Ok(dashboard_of(read, actor.user_id, now))
    }

    /// [`SenseiService::dashboard`] for whoever is signed in with `token`, the sign-in and the
    /// page read as one unit of work ([`crate::ports::SignedInReads`]); with `mine_only` the
    /// queue holds only the viewer's claims. `Ok(None)` when the token names no live sign-in.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the signed-in account is an instructor;
    /// [`QueryError::Repository`].
    /// [`QueryError::InvalidText`] when the student filter holds a NUL character.
    pub async fn dashboard_for_sign_in(
        &self,
        token: &SignInToken,
        filters: SessionQuery,
        mine_only: bool,
        page: PageRequest,
    ) -> Result<Option<(Account, Dashboard)>, QueryError> {
        filters.check_text()?;
        let now = self.ports.clock.now();
        let plan: DashboardPlan = Box::new(move |account: &Account| {
            let actor = account.actor();
            if require_instructor(actor, Resource::ScheduledSession).is_err() {
                return None;
            }
            let filters = SessionQuery {
                claimed_by: mine_only.then_some(actor.user_id),
                ..filters
            };
            Some(dashboard_queries(actor.user_id, filters, now))
        });
        match self
            .ports
            .signed_in
            .dashboard(token, now, plan, page)
            .await?
        {
            SignedInRead::NotSignedIn => Ok(None),
            SignedInRead::Refused(_) => Err(QueryError::Forbidden(Resource::ScheduledSession)),
            SignedInRead::Read(account, read) => {
                let dashboard = dashboard_of(read, account.id, now);
                Ok(Some((account, dashboard)))
            }
        }
    }

    /// Sessions matching `query`, one page, with the total.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the reader reads as an instructor;
    /// [`QueryError::Repository`].
    /// [`QueryError::InvalidText`] when the student filter holds a NUL character.
    pub async fn list_sessions(
        &self,
        reader: impl Into<Reader>,
        query: SessionQuery,
        page: PageRequest,
    ) -> Result<SessionListing, QueryError> {
        require_instructor(reader, Resource::ScheduledSession)?;
        query.check_text()?;
        let as_of = self.ports.clock.now();
        let query = SessionQuery {
            as_of: Some(as_of),
            ..query
        };
        let total = self.ports.sessions.count(&query).await?;
        let page = self.ports.sessions.list(&query, page).await?;
        Ok(SessionListing { total, page, as_of })
    }

    /// One session with current goal progress, digi-trainer message previews and its event
    /// timeline.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the actor is an instructor, [`QueryError::NotFound`],
    /// [`QueryError::Repository`].
    pub async fn session_detail(
        &self,
        actor: Actor,
        id: ScheduledSessionId,
    ) -> Result<SessionDetail, QueryError> {
        require_instructor(actor, Resource::ScheduledSession)?;
        let entry = self.existing_session(id).await?;
        let student = entry.session.user_id;
        let submission = self
            .ports
            .submissions
            .get(entry.session.submission_id)
            .await?;
        let goals = self
            .ports
            .goals
            .progress(student, entry.challenge_id)
            .await?;
        let current_engagement = EngagementSnapshot::from_progress(&goals);
        let mut agent_sessions = self
            .ports
            .digi_trainer
            .sessions_with_messages(
                student,
                entry.challenge_id,
                DETAIL_AGENT_SESSIONS,
                DETAIL_MESSAGES_PER_SESSION,
            )
            .await?;
        for message in agent_sessions
            .iter_mut()
            .flat_map(|session| session.messages.iter_mut())
        {
            message.content = preview(&message.content, PREVIEW_CHARS);
        }
        let events = self.ports.sessions.events(id, TIMELINE_EVENTS).await?;
        let as_of = self.ports.clock.now();
        let actions = InstructorActions::decide(&entry.session, actor.user_id, as_of);
        Ok(SessionDetail {
            entry,
            submission,
            goals,
            current_engagement,
            agent_sessions,
            events,
            actions,
            as_of,
        })
    }

    /// A submission's anatomy conversations.
    ///
    /// # Errors
    /// [`QueryError::Forbidden`] unless the actor is an instructor, [`QueryError::NotFound`],
    /// [`QueryError::Repository`].
    pub async fn submission_conversations(
        &self,
        actor: Actor,
        submission_id: SubmissionId,
    ) -> Result<SubmissionConversations, QueryError> {
        require_instructor(actor, Resource::Submission)?;
        let submission =
            self.ports
                .submissions
                .get(submission_id)
                .await?
                .ok_or(QueryError::NotFound {
                    resource: Resource::Submission,
                    id: submission_id.get(),
                })?;
        let conversations = self
            .ports
            .anatomy
            .conversations(submission_id, CONVERSATION_MESSAGES)
            .await?;
        Ok(SubmissionConversations {
            submission,
            conversations,
        })
    }
}
