//! The platform writer: writes challenges, submissions, reviews, progress and conversations
//! into the standalone platform schema, for demo data and tests (an embedding platform has
//! its own).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{Clock, SystemClock};
use sensei_core::{
    AgentSessionId, ChallengeId, ConversationId, GoalId, GoalStatus, RepositoryError, SubmissionId,
    UserId,
};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{
    agent_messages, agent_sessions, anatomy_conversations, anatomy_messages, challenges,
    goal_progress, goals, reviews, submissions,
};
use crate::timestamp::SqlaTimestamp;

/// Writes platform records (challenges, submissions, reviews, progress, conversations) into
/// the standalone schema: for demo data and tests.
#[derive(Debug, Clone)]
pub struct PlatformWriter {
    db: Database,
}

fn owned_messages(messages: &[(&str, &str)]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|(role, content)| ((*role).to_owned(), (*content).to_owned()))
        .collect()
}

/// Message `index` of a conversation that started at `start`: one second apart.
fn message_time(start: DateTime<Utc>, index: usize) -> SqlaTimestamp {
    let offset = chrono::Duration::seconds(i64::try_from(index).unwrap_or(0) + 1);
    SqlaTimestamp::from(start + offset)
}

impl PlatformWriter {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// A challenge with its goals, in the given order.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn create_challenge(
        &self,
        name: &str,
        description: &str,
        goal_titles: &[&str],
    ) -> Result<(ChallengeId, Vec<GoalId>), RepositoryError> {
        let name = name.to_owned();
        let description = description.to_owned();
        let titles: Vec<String> = goal_titles.iter().map(|t| (*t).to_owned()).collect();
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let challenge: i32 = diesel::insert_into(challenges::table)
                    .values((
                        challenges::name.eq(&name),
                        challenges::description.eq(&description),
                    ))
                    .returning(challenges::id)
                    .get_result(conn)?;
                let mut ids = Vec::with_capacity(titles.len());
                for (position, title) in titles.iter().enumerate() {
                    let id: i32 = diesel::insert_into(goals::table)
                        .values((
                            goals::challenge_id.eq(challenge),
                            goals::title.eq(title),
                            goals::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                        ))
                        .returning(goals::id)
                        .get_result(conn)?;
                    ids.push(GoalId(id));
                }
                Ok::<_, Fail>((ChallengeId(challenge), ids))
            })
        })
    }

    /// A submission by `owner` to `challenge`.
    ///
    /// # Errors
    /// When the store fails (for example an unknown owner or challenge).
    pub async fn create_submission(
        &self,
        owner: UserId,
        challenge: ChallengeId,
        submitted_at: DateTime<Utc>,
    ) -> Result<SubmissionId, RepositoryError> {
        let at = SqlaTimestamp::from(submitted_at);
        let id: i32 = with_conn!(self.db, |conn| {
            Ok(diesel::insert_into(submissions::table)
                .values((
                    submissions::user_id.eq(owner.get()),
                    submissions::challenge_id.eq(challenge.get()),
                    submissions::submitted_at.eq(at),
                ))
                .returning(submissions::id)
                .get_result(conn)?)
        })?;
        Ok(SubmissionId(id))
    }

    /// An instructor review of a submission (`needs_work`, `approved`, ...).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn add_review(
        &self,
        submission: SubmissionId,
        verdict: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let verdict = verdict.to_owned();
        let at = SqlaTimestamp::from(at);
        with_conn!(self.db, |conn| {
            diesel::insert_into(reviews::table)
                .values((
                    reviews::submission_id.eq(submission.get()),
                    reviews::verdict.eq(verdict),
                    reviews::created_at.eq(at),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Sets a student's status on a goal (insert or update).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn set_goal_progress(
        &self,
        user: UserId,
        goal: GoalId,
        status: GoalStatus,
    ) -> Result<(), RepositoryError> {
        let now = SqlaTimestamp::from(SystemClock.now());
        with_conn!(self.db, |conn| {
            diesel::insert_into(goal_progress::table)
                .values((
                    goal_progress::user_id.eq(user.get()),
                    goal_progress::goal_id.eq(goal.get()),
                    goal_progress::status.eq(status.as_str()),
                    goal_progress::updated_at.eq(now),
                ))
                .on_conflict((goal_progress::user_id, goal_progress::goal_id))
                .do_update()
                .set((
                    goal_progress::status.eq(status.as_str()),
                    goal_progress::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// A digi-trainer session with its messages (`(role, content)`, one second apart after
    /// `started_at`).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn add_agent_session(
        &self,
        user: UserId,
        challenge: ChallengeId,
        goal: Option<GoalId>,
        started_at: DateTime<Utc>,
        messages: &[(&str, &str)],
    ) -> Result<AgentSessionId, RepositoryError> {
        let messages = owned_messages(messages);
        let start = SqlaTimestamp::from(started_at);
        let id: i32 = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let id: i32 = diesel::insert_into(agent_sessions::table)
                    .values((
                        agent_sessions::user_id.eq(user.get()),
                        agent_sessions::challenge_id.eq(challenge.get()),
                        agent_sessions::goal_id.eq(goal.map(GoalId::get)),
                        agent_sessions::started_at.eq(start),
                    ))
                    .returning(agent_sessions::id)
                    .get_result(conn)?;
                for (index, (role, content)) in messages.iter().enumerate() {
                    diesel::insert_into(agent_messages::table)
                        .values((
                            agent_messages::agent_session_id.eq(id),
                            agent_messages::role.eq(role),
                            agent_messages::content.eq(content),
                            agent_messages::created_at.eq(message_time(started_at, index)),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, Fail>(id)
            })
        })?;
        Ok(AgentSessionId(id))
    }

    /// An anatomy conversation about a submission with its messages.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn add_anatomy_conversation(
        &self,
        submission: SubmissionId,
        title: &str,
        started_at: DateTime<Utc>,
        messages: &[(&str, &str)],
    ) -> Result<ConversationId, RepositoryError> {
        let messages = owned_messages(messages);
        let title = title.to_owned();
        let start = SqlaTimestamp::from(started_at);
        let id: i32 = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let id: i32 = diesel::insert_into(anatomy_conversations::table)
                    .values((
                        anatomy_conversations::submission_id.eq(submission.get()),
                        anatomy_conversations::title.eq(&title),
                        anatomy_conversations::created_at.eq(start),
                    ))
                    .returning(anatomy_conversations::id)
                    .get_result(conn)?;
                for (index, (role, content)) in messages.iter().enumerate() {
                    diesel::insert_into(anatomy_messages::table)
                        .values((
                            anatomy_messages::conversation_id.eq(id),
                            anatomy_messages::role.eq(role),
                            anatomy_messages::content.eq(content),
                            anatomy_messages::created_at.eq(message_time(started_at, index)),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, Fail>(id)
            })
        })?;
        Ok(ConversationId(id))
    }
}
