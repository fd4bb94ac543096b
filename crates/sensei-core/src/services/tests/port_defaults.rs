//! What the ports give embedders for free: the default several-challenges read asks once per
//! challenge and keeps each answer with its challenge; `NoEmail` never completes a reset.

use async_trait::async_trait;

use super::*;
use crate::error::RepositoryError;
use crate::ports::{EmailStore, GoalRepository, NoEmail};

/// A store that answers one goal per challenge, titled after it.
struct OneGoalPerChallenge;

#[async_trait]
impl GoalRepository for OneGoalPerChallenge {
    async fn progress(
        &self,
        _student: UserId,
        challenge: ChallengeId,
    ) -> Result<Vec<GoalProgressEntry>, RepositoryError> {
        Ok(vec![GoalProgressEntry {
            goal_id: GoalId(challenge.get()),
            title: format!("Goal of challenge {}", challenge.get()),
            status: crate::domain::GoalStatus::Passed,
        }])
    }
}

#[tokio::test]
async fn the_default_reads_each_challenge_and_keeps_its_answer_beside_it() {
    let read = OneGoalPerChallenge
        .progress_for_challenges(STUDENT, &[ChallengeId(3), ChallengeId(5)])
        .await
        .unwrap();
    let titles: Vec<(i32, String)> = read
        .into_iter()
        .map(|(challenge, goals)| (challenge.get(), goals[0].title.clone()))
        .collect();
    assert_eq!(
        titles,
        [
            (3, "Goal of challenge 3".to_owned()),
            (5, "Goal of challenge 5".to_owned())
        ]
    );
}

#[tokio::test]
async fn without_email_no_reset_link_is_ever_completed() {
    assert_eq!(
        NoEmail.complete_reset(1, "hash".to_owned(), now()).await,
        Ok(false)
    );
}

#[tokio::test]
async fn without_accounts_no_password_is_ever_right() {
    use crate::ports::{NoAccounts, PasswordVerifier};
    assert_eq!(
        NoAccounts
            .verify("hunter2".to_owned(), Some("hunter2".to_owned()))
            .await,
        Ok(false)
    );
    assert_eq!(NoAccounts.verify(String::new(), None).await, Ok(false));
}
