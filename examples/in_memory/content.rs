//! Goals with progress, digi-trainer sessions, anatomy conversations.

use async_trait::async_trait;
use sensei_core::ports::{AnatomyRepository, DigiTrainerRepository, GoalRepository};
use sensei_core::{
    AgentMessage, AgentSession, AnatomyConversation, ChallengeId, ConversationMessage,
    GoalProgressEntry, GoalStatus, RepositoryError, SubmissionId, UserId,
};

use super::InMemoryPlatform;

fn take(limit: u32) -> usize {
    usize::try_from(limit).unwrap_or(usize::MAX)
}

#[async_trait]
impl GoalRepository for InMemoryPlatform {
    async fn progress(
        &self,
        student: UserId,
        challenge: ChallengeId,
    ) -> Result<Vec<GoalProgressEntry>, RepositoryError> {
        let data = self.data();
        Ok(data
            .goals
            .iter()
            .filter(|goal| goal.challenge_id == challenge)
            .map(|goal| GoalProgressEntry {
                goal_id: goal.id,
                title: goal.title.clone(),
                status: data
                    .progress
                    .iter()
                    .find(|row| row.user_id == student && row.goal_id == goal.id)
                    .map_or(GoalStatus::NotStarted, |row| row.status),
            })
            .collect())
    }
}

#[async_trait]
impl DigiTrainerRepository for InMemoryPlatform {
    async fn sessions_with_messages(
        &self,
        student: UserId,
        challenge: ChallengeId,
        session_limit: u32,
        messages_per_session: u32,
    ) -> Result<Vec<AgentSession>, RepositoryError> {
        let data = self.data();
        let mut sessions: Vec<_> = data
            .agent_sessions
            .iter()
            .filter(|row| row.user_id == student && row.challenge_id == challenge)
            .collect();
        sessions.sort_by_key(|row| std::cmp::Reverse((row.started_at, row.id)));
        Ok(sessions
            .into_iter()
            .take(take(session_limit))
            .map(|row| {
                let mut messages: Vec<_> = data
                    .agent_messages
                    .iter()
                    .filter(|message| message.session_id == row.id)
                    .collect();
                messages.sort_by_key(|message| message.created_at);
                AgentSession {
                    id: row.id,
                    goal_id: row.goal_id,
                    goal_title: row.goal_id.and_then(|goal_id| {
                        data.goals
                            .iter()
                            .find(|goal| goal.id == goal_id)
                            .map(|goal| goal.title.clone())
                    }),
                    started_at: row.started_at,
                    message_count: u32::try_from(messages.len()).unwrap_or(u32::MAX),
                    messages: messages
                        .into_iter()
                        .take(take(messages_per_session))
                        .map(|message| AgentMessage {
                            role: message.role.clone(),
                            content: message.content.clone(),
                            created_at: message.created_at,
                        })
                        .collect(),
                }
            })
            .collect())
    }
}

#[async_trait]
impl AnatomyRepository for InMemoryPlatform {
    async fn conversations(
        &self,
        submission: SubmissionId,
        message_limit: u32,
    ) -> Result<Vec<AnatomyConversation>, RepositoryError> {
        let data = self.data();
        let mut conversations: Vec<_> = data
            .conversations
            .iter()
            .filter(|row| row.submission_id == submission)
            .collect();
        conversations.sort_by_key(|row| (row.started_at, row.id));
        Ok(conversations
            .into_iter()
            .map(|row| {
                let mut messages: Vec<_> = data
                    .conversation_messages
                    .iter()
                    .filter(|message| message.conversation_id == row.id)
                    .collect();
                messages.sort_by_key(|message| message.created_at);
                AnatomyConversation {
                    id: row.id,
                    submission_id: row.submission_id,
                    title: row.title.clone(),
                    started_at: row.started_at,
                    messages: messages
                        .into_iter()
                        .take(take(message_limit))
                        .map(|message| ConversationMessage {
                            role: message.role.clone(),
                            content: message.content.clone(),
                            created_at: message.created_at,
                        })
                        .collect(),
                }
            })
            .collect())
    }
}
