//! `sensei generate`: fills a database with a large, realistic data set for benchmarks.

use std::sync::Arc;
use std::time::Instant;

use clap::{Args, ValueEnum};
use sensei_diesel::generate::{
    default_students, generate, GenerateOptions, NoProgress, Progress, SessionHistory,
    TerminalProgress, DEFAULT_CHALLENGES, HISTORY_DAYS, INSTRUCTOR_EMAIL, STUDENT_DOMAIN,
};

use super::database::DatabaseArgs;
use super::CliResult;
use crate::passwords::hash_password_async;

/// The password of every generated account (and of the instructor when it is created).
pub const GENERATED_PASSWORD: &str = "sensei-demo";

/// `sensei generate --database-url URL --sessions N [--students M] [--challenges C] [--seed S]
/// [--history backlog|simulated] [--days D]`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// The database (migrated first if needed).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Scheduled sessions to create: with `--history backlog` half pending, half completed
    /// with notes; with `--history simulated` as a simulated queue left them.
    #[arg(long)]
    pub sessions: u32,
    /// Students to create, each with 1–3 submissions (default: sessions / 4, at least 20).
    #[arg(long)]
    pub students: Option<u32>,
    /// Challenges to create, each with 3–6 goals.
    #[arg(long, default_value_t = DEFAULT_CHALLENGES)]
    pub challenges: u32,
    /// Seed: the same seed (on the same UTC day, into an empty database) gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How sessions are made: `backlog` (a large open queue, no claims: the benchmarks'
    /// shape) or `simulated` (a queue run by instructors on shifts, with realistic booking,
    /// claim and completion times and the audit trail).
    #[arg(long, value_enum, default_value_t = HistoryArg::Backlog)]
    pub history: HistoryArg,
    /// Days of simulated history (with `--history simulated`).
    #[arg(long, default_value_t = HISTORY_DAYS as u32)]
    pub days: u32,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The `--history` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryArg {
    /// Half pending, half completed, no claims or events.
    Backlog,
    /// A simulated queue with realistic times and events.
    Simulated,
}

impl GenerateArgs {
    fn session_history(&self) -> SessionHistory {
        match self.history {
            HistoryArg::Backlog => SessionHistory::Backlog,
            HistoryArg::Simulated => SessionHistory::Simulated { days: self.days },
        }
    }
}

/// Migrates, hashes the password once, generates, and prints what was written.
///
/// # Errors
/// When the database cannot be reached or migrated, the options are out of range, or a
/// write fails.
pub async fn run(args: GenerateArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    let applied = database.migrate().await?;
    if !applied.is_empty() {
        super::output::error_line(format_args!(
            "{url}: applied {} migration(s)",
            applied.len()
        ));
    }
    let hash = hash_password_async(GENERATED_PASSWORD.to_owned()).await?;
    // Midnight (UTC) of today: the same seed gives the same rows all day.
    let now = sensei_core::ports::Clock::now(&sensei_core::ports::SystemClock);
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|midnight| midnight.and_utc())
        .unwrap_or(now);
    let options = GenerateOptions {
        sessions: args.sessions,
        students: args
            .students
            .unwrap_or_else(|| default_students(args.sessions)),
        challenges: args.challenges,
        seed: args.seed,
        password_hash: hash,
        now: today,
        history: args.session_history(),
    };
    let progress: Arc<dyn Progress> = if args.quiet {
        Arc::new(NoProgress)
    } else {
        Arc::new(TerminalProgress::stderr())
    };
    let started = Instant::now();
    let summary = generate(&database, options, progress).await?;
    let elapsed = started.elapsed();
    let rows = summary.total_rows();
    super::output::line(format_args!(
        "{url}: generated {rows} rows in {:.1} s ({:.0} rows/s)",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64().max(1e-9)
    ))?;
    super::output::line(format_args!(
        "  {} students (student<id>@{STUDENT_DOMAIN}), {} challenges, {} goals, {} submissions, \
         {} reviews, {} goal progress rows",
        summary.students,
        summary.challenges,
        summary.goals,
        summary.submissions,
        summary.reviews,
        summary.goal_progress
    ))?;
    super::output::line(format_args!(
        "  {} digi-trainer sessions ({} messages), {} anatomy conversations ({} messages)",
        summary.agent_sessions,
        summary.agent_messages,
        summary.anatomy_conversations,
        summary.anatomy_messages
    ))?;
    super::output::line(format_args!(
        "  {} scheduled sessions ({} pending); the table now holds {} pending and {} completed",
        summary.sessions,
        summary.pending_sessions,
        summary.counter_pending,
        summary.counter_completed
    ))?;
    if summary.events > 0 {
        super::output::line(format_args!(
            "  simulated history: {} events, {} instructors (instructor<id>@{STUDENT_DOMAIN}) on \
             shifts",
            summary.events, summary.instructors
        ))?;
    }
    super::output::line(format_args!(
        "  instructor {INSTRUCTOR_EMAIL} {}; every generated account's password is \
         {GENERATED_PASSWORD}",
        if summary.instructor_created {
            "created"
        } else {
            "already there"
        }
    ))?;
    Ok(())
}
