//! Submissions, as the scheduling rules need them.

use async_trait::async_trait;

use crate::domain::{SubmissionId, SubmissionInfo, UserId};
use crate::error::RepositoryError;

/// Reads submissions with their owner, challenge and latest review verdict.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SubmissionRepository: Send + Sync {
    /// The submission, or `Ok(None)` if there is none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn get(&self, id: SubmissionId) -> Result<Option<SubmissionInfo>, RepositoryError>;

    /// A student's submissions, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Internal`] when it fails otherwise.
    async fn list_by_owner(
        &self,
        owner: UserId,
        limit: u32,
    ) -> Result<Vec<SubmissionInfo>, RepositoryError>;
}
