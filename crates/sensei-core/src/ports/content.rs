//! Goals and progress, digi-trainer sessions and anatomy conversations.

use async_trait::async_trait;

use crate::domain::{
    AgentSession, AnatomyConversation, ChallengeId, GoalProgressEntry, SubmissionId, UserId,
};
use crate::error::RepositoryError;

/// Goals of challenges and students' progress on them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GoalRepository: Send + Sync {
    /// Every goal of the challenge, in the challenge's order, with the student's status on
    /// each ([`crate::GoalStatus::NotStarted`] where no progress is recorded).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn progress(
        &self,
        student: UserId,
        challenge: ChallengeId,
    ) -> Result<Vec<GoalProgressEntry>, RepositoryError>;

    /// [`GoalRepository::progress`] for several challenges at once, each challenge's goals in
    /// its order (challenges without goals may be absent). Adapters over a database should
    /// answer with a constant number of statements; the default asks once per challenge.
    ///
    /// # Errors
    /// As [`GoalRepository::progress`].
    async fn progress_for_challenges(
        &self,
        student: UserId,
        challenges: &[ChallengeId],
    ) -> Result<Vec<(ChallengeId, Vec<GoalProgressEntry>)>, RepositoryError> {
        let mut all = Vec::with_capacity(challenges.len());
        for &challenge in challenges {
            all.push((challenge, self.progress(student, challenge).await?));
        }
        Ok(all)
    }
}

/// Digi-trainer (AI tutor) sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DigiTrainerRepository: Send + Sync {
    /// The student's digi-trainer sessions on the challenge, newest first, at most
    /// `session_limit`, each with its first `messages_per_session` messages (oldest first) and
    /// its total message count. Must use a constant number of statements.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn sessions_with_messages(
        &self,
        student: UserId,
        challenge: ChallengeId,
        session_limit: u32,
        messages_per_session: u32,
    ) -> Result<Vec<AgentSession>, RepositoryError>;
}

/// Anatomy conversations (the platform's chats about a submission's code).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AnatomyRepository: Send + Sync {
    /// The submission's conversations, oldest first, with their messages (oldest first), at
    /// most `message_limit` messages per conversation.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn conversations(
        &self,
        submission: SubmissionId,
        message_limit: u32,
    ) -> Result<Vec<AnatomyConversation>, RepositoryError>;
}
