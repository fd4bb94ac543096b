//! A large, realistic, deterministic data set for benchmarks (`sensei generate`).
//!
//! [`generate`] fills a migrated database (standalone platform schema) with students,
//! challenges with 3–6 goals, submissions (1–3 per student), reviews (some `needs_work`),
//! goal progress, digi-trainer sessions with messages, anatomy conversations with messages,
//! and `sessions` scheduled sessions — every other one pending, the rest completed with notes
//! — booked by eligible students over the [`HISTORY_DAYS`] before `now − 1 day` (so a booking
//! made now is never a duplicate of a generated one). It also adds the instructor
//! [`INSTRUCTOR_EMAIL`] when absent. Every account gets the one password hash passed in
//! ([`GenerateOptions::password_hash`]): hash once, not once per student.
//!
//! The same seed, sizes and `now` on an empty database give the same rows. Rows get explicit
//! ids after the largest existing ones, so generating into a database that already has data
//! adds to it. Each table is written in its own write transaction with multi-row `INSERT`s of
//! at most 30,000 bound parameters (under SQLite's limit). The `scheduled_session_counts`
//! counter is recomputed from the table at the end (on PostgreSQL the row triggers are paused
//! during the bulk load, inside the same transaction).

mod plan;
mod rows;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sensei_core::RepositoryError;

use crate::db::{Database, Pools};
use crate::error::Fail;
use plan::Planner;
use rows::{rows_per_statement, Bulk, Rows};

/// The instructor account the generator adds when absent.
pub const INSTRUCTOR_EMAIL: &str = "sensei@example.com";

/// The domain of the generated students' emails (`student<id>@bench.example`).
pub const STUDENT_DOMAIN: &str = "bench.example";

/// How far back generated sessions are spread, in days before `now − 1 day`.
pub const HISTORY_DAYS: i64 = 180;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Scheduled sessions to create (half pending, half completed).
    pub sessions: u32,
    /// Students to create (each with 1–3 submissions).
    pub students: u32,
    /// Challenges to create (each with 3–6 goals).
    pub challenges: u32,
    /// Seed of the pseudo-random generator: the same seed gives the same data.
    pub seed: u64,
    /// The password hash (PHC string) every created account gets.
    pub password_hash: String,
    /// The reference time: every generated time lies before `now − 1 day`.
    pub now: DateTime<Utc>,
}

impl GenerateOptions {
    /// `sessions` sessions with the default sizes ([`default_students`], 20 challenges),
    /// seed 1 and the current time.
    pub fn new(sessions: u32, password_hash: impl Into<String>) -> Self {
        GenerateOptions {
            sessions,
            students: default_students(sessions),
            challenges: DEFAULT_CHALLENGES,
            seed: 1,
            password_hash: password_hash.into(),
            now: Utc::now(),
        }
    }
}

/// Challenges when not given.
pub const DEFAULT_CHALLENGES: u32 = 20;

/// Students when not given: a quarter of the sessions, at least 20.
pub fn default_students(sessions: u32) -> u32 {
    (sessions / 4).max(20)
}

/// How many rows each table received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Whether the instructor account was created (it existed otherwise).
    pub instructor_created: bool,
    /// Students.
    pub students: u64,
    /// Challenges.
    pub challenges: u64,
    /// Goals.
    pub goals: u64,
    /// Submissions.
    pub submissions: u64,
    /// Reviews.
    pub reviews: u64,
    /// Goal progress rows.
    pub goal_progress: u64,
    /// Digi-trainer sessions.
    pub agent_sessions: u64,
    /// Digi-trainer messages.
    pub agent_messages: u64,
    /// Anatomy conversations.
    pub anatomy_conversations: u64,
    /// Anatomy messages.
    pub anatomy_messages: u64,
    /// Scheduled sessions created.
    pub sessions: u64,
    /// Of which pending.
    pub pending_sessions: u64,
    /// The counter's pending count after the load (the whole table, not only these rows).
    pub counter_pending: i64,
    /// The counter's completed count after the load.
    pub counter_completed: i64,
}

impl GenerateSummary {
    /// Every row written.
    pub fn total_rows(&self) -> u64 {
        u64::from(self.instructor_created)
            + self.students
            + self.challenges
            + self.goals
            + self.submissions
            + self.reviews
            + self.goal_progress
            + self.agent_sessions
            + self.agent_messages
            + self.anatomy_conversations
            + self.anatomy_messages
            + self.sessions
    }
}

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The options are out of range.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// The database failed; tables loaded before the failure keep their rows.
    #[error(transparent)]
    Database(#[from] RepositoryError),
}

/// Receives progress: one phase per table, then rows as they are written.
pub trait Progress: Send + Sync {
    /// A table starts; `rows` will be written.
    fn phase(&self, table: &'static str, rows: u64);
    /// `rows` more rows were written.
    fn advance(&self, rows: u64);
    /// Everything is written.
    fn finish(&self);
}

/// Reports nothing (tests, scripts).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _table: &'static str, _rows: u64) {}
    fn advance(&self, _rows: u64) {}
    fn finish(&self) {}
}

/// A progress bar on stderr (indicatif; drawn only when stderr is a terminal).
#[derive(Debug, Clone)]
pub struct TerminalProgress {
    bar: indicatif::ProgressBar,
}

impl TerminalProgress {
    /// A bar on stderr.
    pub fn stderr() -> Self {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:>22} [{bar:40.cyan/blue}] {pos:>8}/{len:8} rows {per_sec:>14} {eta:>4}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        TerminalProgress { bar }
    }
}

impl Progress for TerminalProgress {
    fn phase(&self, table: &'static str, rows: u64) {
        self.bar.reset();
        self.bar.set_length(rows);
        self.bar.set_message(table);
    }

    fn advance(&self, rows: u64) {
        self.bar.inc(rows);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Fills the (migrated) database; see the module documentation.
///
/// # Errors
/// [`GenerateError::InvalidOptions`] for zero students or challenges or sizes past `i32`
/// ids; [`GenerateError::Database`] when the database fails.
pub async fn generate(
    db: &Database,
    options: GenerateOptions,
    progress: Arc<dyn Progress>,
) -> Result<GenerateSummary, GenerateError> {
    validate(&options)?;
    let pools = db.pools.clone();
    #[cfg(feature = "sqlite")]
    let writers = db.writers.clone();
    let task = tokio::task::spawn_blocking(move || -> Result<GenerateSummary, RepositoryError> {
        let summary = match pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => {
                // This process's other SQLite writers wait until the load is done.
                let _turn = writers.blocking_turn();
                let mut managed = pool
                    .get()
                    .map_err(|error| RepositoryError::Unavailable(error.to_string()))?;
                load(&mut managed.conn, &options, progress.as_ref())
            }
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => {
                let mut managed = pool
                    .get()
                    .map_err(|error| RepositoryError::Unavailable(error.to_string()))?;
                load(&mut managed.conn, &options, progress.as_ref())
            }
        };
        progress.finish();
        summary.map_err(RepositoryError::from)
    });
    let summary = task
        .await
        .map_err(|error| RepositoryError::Internal(format!("generator task failed: {error}")))??;
    Ok(summary)
}

fn validate(options: &GenerateOptions) -> Result<(), GenerateError> {
    if options.students == 0 {
        return Err(GenerateError::InvalidOptions(
            "at least one student is needed".into(),
        ));
    }
    if options.challenges == 0 {
        return Err(GenerateError::InvalidOptions(
            "at least one challenge is needed".into(),
        ));
    }
    // Ids are INTEGER (i32): keep every table's rows well inside that range.
    let limit = 50_000_000;
    if options.sessions > limit || options.students > limit || options.challenges > 1_000_000 {
        return Err(GenerateError::InvalidOptions(format!(
            "sizes are limited to {limit} sessions and students and 1,000,000 challenges"
        )));
    }
    Ok(())
}

/// The largest id of `table`, 0 when empty.
fn max_id<C: Bulk>(conn: &mut C, table: &str) -> Result<i64, Fail> {
    Ok(conn.number(&format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM {table}"
    ))?)
}

/// Writes `rows` in multi-row statements inside one write transaction.
fn write_table<C, T>(
    conn: &mut C,
    table: &'static str,
    columns: usize,
    rows: &[T],
    wrap: fn(&[T]) -> Rows<'_>,
    progress: &dyn Progress,
) -> Result<u64, Fail>
where
    C: Bulk,
{
    progress.phase(table, rows.len() as u64);
    conn.write_transaction(|conn| {
        for chunk in rows.chunks(rows_per_statement(columns)) {
            conn.insert_rows(wrap(chunk))?;
            progress.advance(chunk.len() as u64);
        }
        Ok(())
    })?;
    Ok(rows.len() as u64)
}

fn load<C: Bulk>(
    conn: &mut C,
    options: &GenerateOptions,
    progress: &dyn Progress,
) -> Result<GenerateSummary, Fail> {
    let mut summary = GenerateSummary::default();
    let anchor = options.now - chrono::Duration::days(1);
    summary.instructor_created = conn.write_transaction(|conn| {
        Ok(conn.ensure_instructor(INSTRUCTOR_EMAIL, &options.password_hash, anchor)?)
    })?;

    let mut planner = Planner::new(options.seed, anchor);

    let base = max_id(conn, "users")?;
    let students = planner.students(base, options.students, &options.password_hash);
    summary.students = write_table(
        conn,
        "students",
        5,
        &students,
        |rows| Rows::Users(rows),
        progress,
    )?;
    let student_ids: Vec<i32> = students.iter().map(|row| row.id).collect();
    drop(students);

    let (challenge_base, goal_base) = (max_id(conn, "challenges")?, max_id(conn, "goals")?);
    let (challenges, goals) = planner.challenges(challenge_base, goal_base, options.challenges);
    summary.challenges = write_table(
        conn,
        "challenges",
        3,
        &challenges,
        |rows| Rows::Challenges(rows),
        progress,
    )?;
    summary.goals = write_table(conn, "goals", 4, &goals, |rows| Rows::Goals(rows), progress)?;
    drop((challenges, goals));

    let submissions = planner.submissions(max_id(conn, "submissions")?, &student_ids);
    summary.submissions = write_table(
        conn,
        "submissions",
        5,
        &submissions,
        |rows| Rows::Submissions(rows),
        progress,
    )?;
    drop(submissions);

    let reviews = planner.reviews(max_id(conn, "reviews")?);
    summary.reviews = write_table(
        conn,
        "reviews",
        4,
        &reviews,
        |rows| Rows::Reviews(rows),
        progress,
    )?;
    drop(reviews);

    let progress_rows = planner.goal_progress(max_id(conn, "goal_progress")?);
    summary.goal_progress = write_table(
        conn,
        "goal progress",
        5,
        &progress_rows,
        |rows| Rows::GoalProgress(rows),
        progress,
    )?;
    drop(progress_rows);

    let (agent_sessions, agent_messages) = planner.digi_trainer(
        max_id(conn, "agent_sessions")?,
        max_id(conn, "agent_messages")?,
    );
    summary.agent_sessions = write_table(
        conn,
        "digi-trainer sessions",
        5,
        &agent_sessions,
        |rows| Rows::DigiTrainerSessions(rows),
        progress,
    )?;
    summary.agent_messages = write_table(
        conn,
        "digi-trainer messages",
        5,
        &agent_messages,
        |rows| Rows::DigiTrainerMessages(rows),
        progress,
    )?;
    drop((agent_sessions, agent_messages));

    let (conversations, messages) = planner.anatomy(
        max_id(conn, "anatomy_conversations")?,
        max_id(conn, "anatomy_messages")?,
    );
    summary.anatomy_conversations = write_table(
        conn,
        "anatomy conversations",
        4,
        &conversations,
        |rows| Rows::AnatomyConversations(rows),
        progress,
    )?;
    summary.anatomy_messages = write_table(
        conn,
        "anatomy messages",
        5,
        &messages,
        |rows| Rows::AnatomyMessages(rows),
        progress,
    )?;
    drop((conversations, messages));

    let sessions = planner.sessions(max_id(conn, "scheduled_sessions")?, options.sessions);
    summary.sessions = sessions.len() as u64;
    summary.pending_sessions = sessions
        .iter()
        .filter(|row| row.session_completed_at.is_none())
        .count() as u64;
    progress.phase("scheduled sessions", sessions.len() as u64);
    let (pending, completed) = conn.write_transaction(|conn| {
        conn.pause_session_triggers()?;
        for chunk in sessions.chunks(rows_per_statement(10)) {
            conn.insert_rows(Rows::ScheduledSessions(chunk))?;
            progress.advance(chunk.len() as u64);
        }
        conn.resume_session_triggers()?;
        // Whatever the triggers did, the counter now equals the table.
        conn.recount_sessions()?;
        let pending = conn.number(
            "SELECT CAST(SUM(pending_count) AS BIGINT) AS n FROM scheduled_session_counts",
        )?;
        let completed = conn.number(
            "SELECT CAST(SUM(completed_count) AS BIGINT) AS n FROM scheduled_session_counts",
        )?;
        Ok::<_, Fail>((pending, completed))
    })?;
    summary.counter_pending = pending;
    summary.counter_completed = completed;
    conn.advance_sequences()?;
    progress.phase("analyze", 0);
    conn.after_load()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_the_bind_limits() {
        for columns in 1..=12 {
            assert!(rows_per_statement(columns) * columns <= 30_000);
            assert!(rows_per_statement(columns) >= 1);
        }
    }

    #[test]
    fn bad_sizes_are_refused() {
        let mut options = GenerateOptions::new(10, "hash");
        options.students = 0;
        assert!(validate(&options).is_err());
        let mut options = GenerateOptions::new(10, "hash");
        options.challenges = 0;
        assert!(validate(&options).is_err());
        assert!(validate(&GenerateOptions::new(10, "hash")).is_ok());
    }
}
