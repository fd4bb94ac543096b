//! Submissions, goals and progress, digi-trainer sessions and anatomy conversations: reads
//! with a constant number of statements each.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use sensei_core::ports::{
    AnatomyRepository, DigiTrainerRepository, GoalRepository, SubmissionRepository,
};
use sensei_core::{
    AgentMessage, AgentSession, AgentSessionId, AnatomyConversation, ChallengeId, ConversationId,
    ConversationMessage, GoalId, GoalProgressEntry, GoalStatus, MessageRole, RepositoryError,
    ReviewVerdict, SubmissionId, SubmissionInfo, UserId,
};

use crate::db::{cached, with_conn, Database};
use crate::schema::{goal_progress, goals};
use crate::timestamp::SqlaTimestamp;

/// A submission with its owner, challenge and latest review verdict, as read (also embedded
/// in the booking facts' rows).
#[derive(QueryableByName)]
pub(super) struct SubmissionInfoRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    user_id: i32,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Integer)]
    challenge_id: i32,
    #[diesel(sql_type = Text)]
    challenge_name: String,
    #[diesel(sql_type = Timestamp)]
    submitted_at: SqlaTimestamp,
    #[diesel(sql_type = Nullable<Text>)]
    latest_verdict: Option<String>,
}

impl From<SubmissionInfoRow> for SubmissionInfo {
    fn from(row: SubmissionInfoRow) -> Self {
        SubmissionInfo {
            id: SubmissionId(row.id),
            owner: UserId(row.user_id),
            owner_email: row.email,
            challenge_id: ChallengeId(row.challenge_id),
            challenge_name: row.challenge_name,
            submitted_at: row.submitted_at.utc(),
            latest_verdict: row.latest_verdict.as_deref().map(ReviewVerdict::parse),
        }
    }
}

/// Submissions with owner email, challenge name and the latest review verdict (by
/// `created_at`, then `id`) as one correlated sub-select.
// Why a macro: the text is spliced into the statements below with `concat!`, which takes
// only literals; constant SQL text is what keeps those statements in each connection's
// prepared-statement cache (`db/cached.rs`).
macro_rules! submission_select {
    () => {
        "SELECT s.id, s.user_id, u.email, s.challenge_id, c.name AS challenge_name, \
         s.submitted_at, \
         (SELECT r.verdict FROM reviews r WHERE r.submission_id = s.id \
          ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS latest_verdict \
         FROM submissions s JOIN users u ON u.id = s.user_id \
         JOIN challenges c ON c.id = s.challenge_id "
    };
}

const SUBMISSION_BY_ID: &str = concat!(submission_select!(), "WHERE s.id = ?");

const SUBMISSIONS_BY_OWNER: &str = concat!(
    submission_select!(),
    "WHERE s.user_id = ? ORDER BY s.submitted_at DESC, s.id DESC LIMIT ?"
);

/// A digi-trainer (`agent_sessions`) row with its goal title and message count, as read.
#[derive(QueryableByName)]
struct DigiTrainerSessionRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    goal_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    goal_title: Option<String>,
    #[diesel(sql_type = Timestamp)]
    started_at: SqlaTimestamp,
    #[diesel(sql_type = BigInt)]
    message_count: i64,
}

/// A message of a digi-trainer session or an anatomy conversation (`parent_id`), as read.
#[derive(QueryableByName)]
struct ThreadMessageRow {
    #[diesel(sql_type = Integer)]
    parent_id: i32,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Text)]
    content: String,
    #[diesel(sql_type = Timestamp)]
    created_at: SqlaTimestamp,
}

/// An `anatomy_conversations` row, as read.
#[derive(QueryableByName)]
struct AnatomyConversationRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    submission_id: i32,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Timestamp)]
    created_at: SqlaTimestamp,
}

const AGENT_SESSIONS: &str = "SELECT a.id, a.goal_id, g.title AS goal_title, a.started_at, \
     (SELECT COUNT(*) FROM agent_messages m WHERE m.agent_session_id = a.id) AS message_count \
     FROM agent_sessions a LEFT JOIN goals g ON g.id = a.goal_id \
     WHERE a.user_id = ? AND a.challenge_id = ? \
     ORDER BY a.started_at DESC, a.id DESC LIMIT ?";

/// The first N messages of each of those sessions, in one statement (window function; SQLite
/// has them since 3.25, the bundled library is far newer).
const AGENT_MESSAGES: &str =
    "SELECT x.agent_session_id AS parent_id, x.role, x.content, x.created_at \
     FROM (SELECT m.agent_session_id, m.role, m.content, m.created_at, m.id, \
             ROW_NUMBER() OVER (PARTITION BY m.agent_session_id ORDER BY m.created_at, m.id) AS rn \
           FROM agent_messages m \
           WHERE m.agent_session_id IN (SELECT a.id FROM agent_sessions a \
               WHERE a.user_id = ? AND a.challenge_id = ? \
               ORDER BY a.started_at DESC, a.id DESC LIMIT ?)) x \
     WHERE x.rn <= ? ORDER BY x.agent_session_id, x.created_at, x.id";

const CONVERSATIONS: &str = "SELECT id, submission_id, title, created_at \
     FROM anatomy_conversations WHERE submission_id = ? ORDER BY created_at, id";

const CONVERSATION_MESSAGES: &str =
    "SELECT x.conversation_id AS parent_id, x.role, x.content, x.created_at \
     FROM (SELECT m.conversation_id, m.role, m.content, m.created_at, m.id, \
             ROW_NUMBER() OVER (PARTITION BY m.conversation_id ORDER BY m.created_at, m.id) AS rn \
           FROM anatomy_messages m \
           WHERE m.conversation_id IN (SELECT c.id FROM anatomy_conversations c \
               WHERE c.submission_id = ?)) x \
     WHERE x.rn <= ? ORDER BY x.conversation_id, x.created_at, x.id";

/// The Diesel [`SubmissionRepository`], [`GoalRepository`], [`DigiTrainerRepository`] and
/// [`AnatomyRepository`].
#[derive(Debug, Clone)]
pub struct DieselContent {
    db: Database,
}

impl DieselContent {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// A goal with the student's stored status (`None`: no progress row, not started).
pub(super) fn goal_entry(id: i32, title: String, status: Option<&str>) -> GoalProgressEntry {
    GoalProgressEntry {
        goal_id: GoalId(id),
        title,
        status: status.map_or(GoalStatus::NotStarted, GoalStatus::parse_lenient),
    }
}

fn group_messages(rows: Vec<ThreadMessageRow>) -> HashMap<i32, Vec<ThreadMessageRow>> {
    let mut grouped: HashMap<i32, Vec<ThreadMessageRow>> = HashMap::new();
    for row in rows {
        grouped.entry(row.parent_id).or_default().push(row);
    }
    grouped
}

#[async_trait]
impl SubmissionRepository for DieselContent {
    async fn get(&self, id: SubmissionId) -> Result<Option<SubmissionInfo>, RepositoryError> {
        let id = id.get();
        with_conn!(self.db, |conn| {
            let sql = crate::db::sql_for(&*conn, SUBMISSION_BY_ID);
            let row: Option<SubmissionInfoRow> =
                cached(diesel::sql_query(sql).bind::<Integer, _>(id))
                    .get_result(conn)
                    .optional()?;
            Ok(row.map(SubmissionInfo::from))
        })
    }

    async fn list_by_owner(
        &self,
        owner: UserId,
        limit: u32,
    ) -> Result<Vec<SubmissionInfo>, RepositoryError> {
        let owner = owner.get();
        with_conn!(self.db, |conn| {
            let sql = crate::db::sql_for(&*conn, SUBMISSIONS_BY_OWNER);
            let rows: Vec<SubmissionInfoRow> = cached(
                diesel::sql_query(sql)
                    .bind::<Integer, _>(owner)
                    .bind::<BigInt, _>(i64::from(limit)),
            )
            .load(conn)?;
            Ok(rows.into_iter().map(SubmissionInfo::from).collect())
        })
    }
}

#[async_trait]
impl GoalRepository for DieselContent {
    async fn progress(
        &self,
        student: UserId,
        challenge: ChallengeId,
    ) -> Result<Vec<GoalProgressEntry>, RepositoryError> {
        let (student, challenge) = (student.get(), challenge.get());
        with_conn!(self.db, |conn| {
            let rows: Vec<(i32, String, Option<String>)> = goals::table
                .left_join(
                    goal_progress::table.on(goal_progress::goal_id
                        .eq(goals::id)
                        .and(goal_progress::user_id.eq(student))),
                )
                .filter(goals::challenge_id.eq(challenge))
                .order((goals::position.asc(), goals::id.asc()))
                .select((goals::id, goals::title, goal_progress::status.nullable()))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, title, status)| goal_entry(id, title, status.as_deref()))
                .collect())
        })
    }

    async fn progress_for_challenges(
        &self,
        student: UserId,
        challenges: &[ChallengeId],
    ) -> Result<Vec<(ChallengeId, Vec<GoalProgressEntry>)>, RepositoryError> {
        if challenges.is_empty() {
            return Ok(Vec::new());
        }
        let student = student.get();
        let wanted: Vec<i32> = challenges.iter().map(|challenge| challenge.get()).collect();
        let rows: Vec<(i32, i32, String, Option<String>)> = with_conn!(self.db, |conn| {
            Ok(goals::table
                .left_join(
                    goal_progress::table.on(goal_progress::goal_id
                        .eq(goals::id)
                        .and(goal_progress::user_id.eq(student))),
                )
                .filter(goals::challenge_id.eq_any(&wanted))
                .order((
                    goals::challenge_id.asc(),
                    goals::position.asc(),
                    goals::id.asc(),
                ))
                .select((
                    goals::challenge_id,
                    goals::id,
                    goals::title,
                    goal_progress::status.nullable(),
                ))
                .load(conn)?)
        })?;
        let mut grouped: Vec<(ChallengeId, Vec<GoalProgressEntry>)> = Vec::new();
        for (challenge, id, title, status) in rows {
            let entry = goal_entry(id, title, status.as_deref());
            match grouped.last_mut() {
                Some((last, entries)) if last.get() == challenge => entries.push(entry),
                _ => grouped.push((ChallengeId(challenge), vec![entry])),
            }
        }
        Ok(grouped)
    }
}

#[async_trait]
impl DigiTrainerRepository for DieselContent {
    async fn sessions_with_messages(
        &self,
        student: UserId,
        challenge: ChallengeId,
        session_limit: u32,
        messages_per_session: u32,
    ) -> Result<Vec<AgentSession>, RepositoryError> {
        if session_limit == 0 {
            return Ok(Vec::new());
        }
        let (student, challenge) = (student.get(), challenge.get());
        let (limit, per_session) = (i64::from(session_limit), i64::from(messages_per_session));
        let (sessions, messages) = with_conn!(self.db, |conn| {
            let sessions: Vec<DigiTrainerSessionRow> = cached(
                diesel::sql_query(crate::db::sql_for(&*conn, AGENT_SESSIONS))
                    .bind::<Integer, _>(student)
                    .bind::<Integer, _>(challenge)
                    .bind::<BigInt, _>(limit),
            )
            .load(conn)?;
            let messages: Vec<ThreadMessageRow> = if sessions.is_empty() || per_session == 0 {
                Vec::new()
            } else {
                cached(
                    diesel::sql_query(crate::db::sql_for(&*conn, AGENT_MESSAGES))
                        .bind::<Integer, _>(student)
                        .bind::<Integer, _>(challenge)
                        .bind::<BigInt, _>(limit)
                        .bind::<BigInt, _>(per_session),
                )
                .load(conn)?
            };
            Ok((sessions, messages))
        })?;
        let mut grouped = group_messages(messages);
        Ok(sessions
            .into_iter()
            .map(|row| AgentSession {
                id: AgentSessionId(row.id),
                goal_id: row.goal_id.map(GoalId),
                goal_title: row.goal_title,
                started_at: row.started_at.utc(),
                message_count: u32::try_from(row.message_count).unwrap_or(0),
                messages: grouped
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|message| AgentMessage {
                        role: MessageRole::parse(&message.role),
                        content: message.content,
                        created_at: message.created_at.utc(),
                    })
                    .collect(),
            })
            .collect())
    }
}

#[async_trait]
impl AnatomyRepository for DieselContent {
    async fn conversations(
        &self,
        submission: SubmissionId,
        message_limit: u32,
    ) -> Result<Vec<AnatomyConversation>, RepositoryError> {
        let submission = submission.get();
        let limit = i64::from(message_limit);
        let (conversations, messages) = with_conn!(self.db, |conn| {
            let conversations: Vec<AnatomyConversationRow> = cached(
                diesel::sql_query(crate::db::sql_for(&*conn, CONVERSATIONS))
                    .bind::<Integer, _>(submission),
            )
            .load(conn)?;
            let messages: Vec<ThreadMessageRow> = if conversations.is_empty() || limit == 0 {
                Vec::new()
            } else {
                cached(
                    diesel::sql_query(crate::db::sql_for(&*conn, CONVERSATION_MESSAGES))
                        .bind::<Integer, _>(submission)
                        .bind::<BigInt, _>(limit),
                )
                .load(conn)?
            };
            Ok((conversations, messages))
        })?;
        let mut grouped = group_messages(messages);
        Ok(conversations
            .into_iter()
            .map(|row| AnatomyConversation {
                id: ConversationId(row.id),
                submission_id: SubmissionId(row.submission_id),
                title: row.title,
                started_at: row.created_at.utc(),
                messages: grouped
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|message| ConversationMessage {
                        role: MessageRole::parse(&message.role),
                        content: message.content,
                        created_at: message.created_at.utc(),
                    })
                    .collect(),
            })
            .collect())
    }
}
