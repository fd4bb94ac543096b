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
//! With [`SessionHistory::Simulated`] the sessions instead come from a simulated queue with
//! realistic times: bookings by hour of the week over the chosen days, instructors
//! (`instructor<id>@bench.example`, added as needed) working shifts and claiming the oldest
//! pending session when free, log-normal handling times, renewals, some releases, lapsed
//! claims and cancellations, and the matching `scheduled_session_events` rows; each session's
//! columns match its last event. Only the sessions waiting at the end are pending.
//!
//! The same seed, sizes and `now` on an empty database give the same rows. Rows get explicit
//! ids after the largest existing ones, so generating into a database that already has data
//! adds to it. Each table is written in its own write transaction with multi-row `INSERT`s of
//! at most 30,000 bound parameters (under SQLite's limit). The `scheduled_session_counts`
//! counter is recomputed from the table at the end (on PostgreSQL the row triggers are paused
//! during the bulk load, inside the same transaction).

//!
//! One job per file: this one the options, the summary and the entry point; `plan.rs` (with
//! `words.rs`) decides the rows; `rows.rs` writes them per backend; `load.rs` writes the
//! tables in order; `progress.rs` reports.

mod history;
mod load;
mod plan;
mod progress;
mod rows;
mod simulate;
mod words;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sensei_core::ports::{Clock, SystemClock};
use sensei_core::RepositoryError;

use crate::db::{Database, Pools};
use load::load;
pub use progress::{NoProgress, Progress, TerminalProgress};

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
    /// How the sessions' times and states are made.
    pub history: SessionHistory,
}

/// How the generated sessions' times and states are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionHistory {
    /// Every other session pending, the rest completed with notes, booked evenly over
    /// [`HISTORY_DAYS`]; no claims and no events (the shape the benchmarks measure: a large
    /// open queue).
    #[default]
    Backlog,
    /// A simulated queue over the `days` before `now − 1 day`: realistic booking, claim and
    /// completion times, with the audit trail (see the module documentation).
    Simulated {
        /// Days of history.
        days: u32,
    },
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
            now: SystemClock.now(),
            history: SessionHistory::Backlog,
        }
    }
}

/// The longest simulated history, in days (ten years).
pub const MAX_SIMULATED_DAYS: u32 = 3_650;

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
    /// Instructors created for the simulated history.
    pub instructors: u64,
    /// Scheduled sessions created.
    pub sessions: u64,
    /// Audit-trail events created (simulated history only).
    pub events: u64,
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
            + self.instructors
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
            + self.events
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
    if let SessionHistory::Simulated { days } = options.history {
        if !(1..=MAX_SIMULATED_DAYS).contains(&days) {
            return Err(GenerateError::InvalidOptions(format!(
                "simulated history must span 1 to {MAX_SIMULATED_DAYS} days, got {days}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::rows::rows_per_statement;
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
        for (days, ok) in [
            (0, false),
            (1, true),
            (MAX_SIMULATED_DAYS, true),
            (3_651, false),
        ] {
            let mut options = GenerateOptions::new(10, "hash");
            options.history = SessionHistory::Simulated { days };
            assert_eq!(validate(&options).is_ok(), ok, "{days} days");
        }
    }
}
