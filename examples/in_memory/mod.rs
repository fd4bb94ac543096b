//! In-memory repositories: the platform's tables as vectors behind one mutex.
//!
//! [`InMemoryPlatform`] implements every port of `sensei-core`
//! ([`sensei_core::ports::ScheduledSessionRepository`], [`sensei_core::ports::SubmissionRepository`],
//! [`sensei_core::ports::GoalRepository`], [`sensei_core::ports::DigiTrainerRepository`],
//! [`sensei_core::ports::AnatomyRepository`]); [`ManualClock`] is a clock the embedding code
//! moves by hand. Seed data with the `add_*` methods, then build the service with
//! [`InMemoryPlatform::service`].

mod clock;
mod content;
mod data;
mod sessions;
mod submissions;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use sensei_core::ports::{Clock, ComposedBookingReads, ComposedReads, NoAccounts};
use sensei_core::{
    AgentSessionId, ChallengeId, ConversationId, GoalId, GoalStatus, MessageRole, Policy, Ports,
    ReviewVerdict, SenseiService, SubmissionId, UserId,
};

pub use clock::ManualClock;
pub use data::{
    AgentMessageRow, AgentSessionRow, ChallengeRow, ConversationMessageRow, ConversationRow,
    GoalRow, PlatformData, ProgressRow, ReviewRow, SubmissionRow, UserRow,
};

/// The platform's data in memory. Cheap to clone: clones share the same data.
#[derive(Debug, Clone, Default)]
pub struct InMemoryPlatform {
    data: Arc<Mutex<PlatformData>>,
}

impl InMemoryPlatform {
    /// An empty platform.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locks the data. A panic in another thread while it held the lock does not make the data
    /// unreadable: every write below leaves the vectors consistent.
    pub fn data(&self) -> MutexGuard<'_, PlatformData> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The scheduling service over this platform, with `clock` and `policy`.
    pub fn service(&self, clock: Arc<dyn Clock>, policy: Policy) -> SenseiService {
        let shared = Arc::new(self.clone());
        SenseiService::new(
            Ports {
                // No accounts here: a signed-in read finds nobody signed in.
                signed_in: Arc::new(ComposedReads::new(Arc::new(NoAccounts), shared.clone())),
                sessions: shared.clone(),
                booking: Arc::new(ComposedBookingReads::new(shared.clone(), shared.clone())),
                submissions: shared.clone(),
                goals: shared.clone(),
                digi_trainer: shared.clone(),
                anatomy: shared,
                // This platform signs its users in itself and passes actors to the use cases.
                accounts: Arc::new(NoAccounts),
                passwords: Arc::new(NoAccounts),
                clock,
            },
            policy,
        )
    }

    /// Adds a user and returns their id.
    pub fn add_user(&self, email: &str) -> UserId {
        let mut data = self.data();
        let id = UserId(next_id(data.users.iter().map(|user| user.id.get())));
        data.users.push(UserRow {
            id,
            email: email.to_owned(),
        });
        id
    }

    /// Adds a challenge with goals of these titles; returns its id and the goals' ids.
    pub fn add_challenge(&self, name: &str, goal_titles: &[&str]) -> (ChallengeId, Vec<GoalId>) {
        let mut data = self.data();
        let id = ChallengeId(next_id(data.challenges.iter().map(|c| c.id.get())));
        data.challenges.push(ChallengeRow {
            id,
            name: name.to_owned(),
        });
        let mut goal_ids = Vec::with_capacity(goal_titles.len());
        for title in goal_titles {
            let goal_id = GoalId(next_id(data.goals.iter().map(|goal| goal.id.get())));
            data.goals.push(GoalRow {
                id: goal_id,
                challenge_id: id,
                title: (*title).to_owned(),
            });
            goal_ids.push(goal_id);
        }
        (id, goal_ids)
    }

    /// Adds a submission and returns its id.
    pub fn add_submission(
        &self,
        student: UserId,
        challenge: ChallengeId,
        submitted_at: DateTime<Utc>,
    ) -> SubmissionId {
        let mut data = self.data();
        let id = SubmissionId(next_id(data.submissions.iter().map(|s| s.id.get())));
        data.submissions.push(SubmissionRow {
            id,
            user_id: student,
            challenge_id: challenge,
            submitted_at,
        });
        id
    }

    /// Records an instructor review of a submission.
    pub fn add_review(
        &self,
        submission: SubmissionId,
        verdict: ReviewVerdict,
        reviewed_at: DateTime<Utc>,
    ) {
        self.data().reviews.push(ReviewRow {
            submission_id: submission,
            verdict,
            reviewed_at,
        });
    }

    /// Sets a student's status on a goal.
    pub fn set_progress(&self, student: UserId, goal: GoalId, status: GoalStatus) {
        let mut data = self.data();
        data.progress
            .retain(|row| !(row.user_id == student && row.goal_id == goal));
        data.progress.push(ProgressRow {
            user_id: student,
            goal_id: goal,
            status,
        });
    }

    /// Adds a digi-trainer session with its messages (oldest first).
    pub fn add_agent_session(
        &self,
        student: UserId,
        challenge: ChallengeId,
        goal: Option<GoalId>,
        messages: &[(MessageRole, &str, DateTime<Utc>)],
    ) -> AgentSessionId {
        let mut data = self.data();
        let id = AgentSessionId(next_id(data.agent_sessions.iter().map(|s| s.id.get())));
        let started_at = messages.first().map(|(_, _, at)| *at).unwrap_or_default();
        data.agent_sessions.push(AgentSessionRow {
            id,
            user_id: student,
            challenge_id: challenge,
            goal_id: goal,
            started_at,
        });
        for (role, content, created_at) in messages {
            data.agent_messages.push(AgentMessageRow {
                session_id: id,
                role: role.clone(),
                content: (*content).to_owned(),
                created_at: *created_at,
            });
        }
        id
    }

    /// Adds an anatomy conversation about a submission with its messages (oldest first).
    pub fn add_conversation(
        &self,
        submission: SubmissionId,
        title: &str,
        messages: &[(MessageRole, &str, DateTime<Utc>)],
    ) -> ConversationId {
        let mut data = self.data();
        let id = ConversationId(next_id(data.conversations.iter().map(|c| c.id.get())));
        let started_at = messages.first().map(|(_, _, at)| *at).unwrap_or_default();
        data.conversations.push(ConversationRow {
            id,
            submission_id: submission,
            title: title.to_owned(),
            started_at,
        });
        for (role, content, created_at) in messages {
            data.conversation_messages.push(ConversationMessageRow {
                conversation_id: id,
                role: role.clone(),
                content: (*content).to_owned(),
                created_at: *created_at,
            });
        }
        id
    }
}

/// The next id after the largest one in use (ids start at 1).
fn next_id(ids: impl Iterator<Item = i32>) -> i32 {
    ids.max().unwrap_or(0).saturating_add(1)
}
