//! The submissions port: a submission joined with its owner's email, its challenge's name and
//! its latest review.

use async_trait::async_trait;
use sensei_core::ports::SubmissionRepository;
use sensei_core::{RepositoryError, SubmissionId, SubmissionInfo, UserId};

use super::data::{PlatformData, SubmissionRow};
use super::InMemoryPlatform;

fn info(data: &PlatformData, row: &SubmissionRow) -> SubmissionInfo {
    let latest_verdict = data
        .reviews
        .iter()
        .filter(|review| review.submission_id == row.id)
        .max_by_key(|review| review.reviewed_at)
        .map(|review| review.verdict.clone());
    SubmissionInfo {
        id: row.id,
        owner: row.user_id,
        owner_email: data.email(row.user_id),
        challenge_id: row.challenge_id,
        challenge_name: data.challenge_name(row.challenge_id),
        submitted_at: row.submitted_at,
        latest_verdict,
    }
}

#[async_trait]
impl SubmissionRepository for InMemoryPlatform {
    async fn get(&self, id: SubmissionId) -> Result<Option<SubmissionInfo>, RepositoryError> {
        let data = self.data();
        Ok(data.submission(id).map(|row| info(&data, row)))
    }

    async fn list_by_owner(
        &self,
        owner: UserId,
        limit: u32,
    ) -> Result<Vec<SubmissionInfo>, RepositoryError> {
        let data = self.data();
        let mut rows: Vec<&SubmissionRow> = data
            .submissions
            .iter()
            .filter(|row| row.user_id == owner)
            .collect();
        rows.sort_by_key(|row| std::cmp::Reverse((row.submitted_at, row.id)));
        Ok(rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|row| info(&data, row))
            .collect())
    }
}
