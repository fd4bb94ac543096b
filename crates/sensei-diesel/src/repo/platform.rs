//! Accounts (sign-in) and the platform writer (demo data, tests): the standalone platform
//! schema only; an embedding platform has its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use sensei_core::{
    AgentSessionId, ChallengeId, ConversationId, GoalId, GoalStatus, RepositoryError, Role,
    SubmissionId, UserId,
};

use crate::db::{sql_for, with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{
    agent_messages, agent_sessions, anatomy_conversations, anatomy_messages, auth_sessions,
    challenges, goal_progress, goals, reviews, submissions, users,
};
use crate::timestamp::SqlaTimestamp;

/// A user who can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    /// The user's id.
    pub id: UserId,
    /// The email address (the login name).
    pub email: String,
    /// Student or instructor.
    pub role: Role,
    /// The password hash (PHC string, e.g. argon2).
    pub password_hash: String,
}

type AccountRow = (i32, String, String, String);

/// The stored form of an email: trimmed and lowercased, so `Alice@Example.com` and
/// `alice@example.com` are one account. Accounts are created and looked up through this.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn account(row: AccountRow) -> Result<UserAccount, RepositoryError> {
    let (id, email, role, password_hash) = row;
    let role = Role::parse(&role).ok_or_else(|| {
        RepositoryError::Corrupt(format!("user {id} has an unknown role {role:?}"))
    })?;
    Ok(UserAccount {
        id: UserId(id),
        email,
        role,
        password_hash,
    })
}

/// At most this many expired sign-in sessions are deleted per sign-in, so a sign-in never
/// waits for a large purge; each sign-in removes more expired rows than it adds.
pub const SESSION_PURGE_BATCH: i64 = 100;

/// Deletes a bounded batch of expired sessions (an index range on `expires_at`).
const PURGE_EXPIRED_SESSIONS: &str = "DELETE FROM auth_sessions WHERE id IN \
     (SELECT id FROM auth_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)";

/// A fresh session token: 32 bytes from the OS random source, base64url without padding.
fn new_session_token() -> Result<String, RepositoryError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| {
        RepositoryError::Failed(format!("no randomness for a session token: {error}"))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Users of the standalone platform schema.
#[derive(Debug, Clone)]
pub struct AccountStore {
    db: Database,
}

impl AccountStore {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The account with this email, compared after [`normalize_email`] (surrounding blanks and
    /// letter case ignored).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]/[`RepositoryError::Failed`] when the store fails;
    /// [`RepositoryError::Corrupt`] when the stored role is unknown.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<UserAccount>, RepositoryError> {
        let email = normalize_email(email);
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(users::table
                .filter(users::email.eq(email))
                .select((users::id, users::email, users::role, users::password_hash))
                .first(conn)
                .optional()?)
        })?;
        row.map(account).transpose()
    }

    /// The account with this id.
    ///
    /// # Errors
    /// As [`AccountStore::find_by_email`].
    pub async fn find_by_id(&self, id: UserId) -> Result<Option<UserAccount>, RepositoryError> {
        let id = id.get();
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(users::table
                .find(id)
                .select((users::id, users::email, users::role, users::password_hash))
                .first(conn)
                .optional()?)
        })?;
        row.map(account).transpose()
    }

    /// Starts a server-side sign-in session for `user`, valid until `expires_at`, and returns
    /// its token (32 random bytes, base64url). Also deletes up to [`SESSION_PURGE_BATCH`]
    /// expired sessions, oldest expiry first.
    ///
    /// # Errors
    /// [`RepositoryError::Failed`] when the user does not exist (foreign key), the OS random
    /// source fails or the store fails; [`RepositoryError::Unavailable`] when it cannot be
    /// reached.
    pub async fn start_session(
        &self,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<String, RepositoryError> {
        let token = new_session_token()?;
        let id = token.clone();
        let user_id = user.get();
        let now = SqlaTimestamp::from(Utc::now());
        let expires = SqlaTimestamp::from(expires_at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::sql_query(sql_for(conn, PURGE_EXPIRED_SESSIONS))
                    .bind::<Timestamp, _>(now)
                    .bind::<BigInt, _>(SESSION_PURGE_BATCH)
                    .execute(conn)?;
                diesel::insert_into(auth_sessions::table)
                    .values((
                        auth_sessions::id.eq(&id),
                        auth_sessions::user_id.eq(user_id),
                        auth_sessions::created_at.eq(now),
                        auth_sessions::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                Ok::<_, Fail>(())
            })
        })?;
        Ok(token)
    }

    /// The account signed in with `token`, if its session exists and expires after `now`:
    /// one statement (the session's primary key joined to its user), so the role and email
    /// are always the current ones, and a deleted user's sessions are gone with them.
    ///
    /// # Errors
    /// As [`AccountStore::find_by_email`].
    pub async fn session_user(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserAccount>, RepositoryError> {
        let token = token.to_owned();
        let now = SqlaTimestamp::from(now);
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(auth_sessions::table
                .inner_join(users::table)
                .filter(auth_sessions::id.eq(token))
                .filter(auth_sessions::expires_at.gt(now))
                .select((users::id, users::email, users::role, users::password_hash))
                .first(conn)
                .optional()?)
        })?;
        row.map(account).transpose()
    }

    /// Ends the session with this token (nothing happens when there is none).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]/[`RepositoryError::Failed`] when the store fails.
    pub async fn end_session(&self, token: &str) -> Result<(), RepositoryError> {
        let token = token.to_owned();
        with_conn!(self.db, |conn| {
            diesel::delete(auth_sessions::table.find(token)).execute(conn)?;
            Ok(())
        })
    }

    /// Creates an account; the email is stored as [`normalize_email`] gives it.
    ///
    /// # Errors
    /// [`RepositoryError::Failed`] when the email is taken (unique constraint) or the store
    /// fails; [`RepositoryError::Unavailable`] when it cannot be reached.
    pub async fn create(
        &self,
        email: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<UserId, RepositoryError> {
        let email = normalize_email(email);
        let hash = password_hash.to_owned();
        let now = SqlaTimestamp::from(Utc::now());
        let id: i32 = with_conn!(self.db, |conn| {
            Ok(diesel::insert_into(users::table)
                .values((
                    users::email.eq(email),
                    users::role.eq(role.as_str()),
                    users::password_hash.eq(hash),
                    users::created_at.eq(now),
                ))
                .returning(users::id)
                .get_result(conn)?)
        })?;
        Ok(UserId(id))
    }
}

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
        let now = SqlaTimestamp::from(Utc::now());
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
