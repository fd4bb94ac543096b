//! Writing the planned rows, table by table, on one connection.

use super::history::{instructors, rows, simulate_history};
use super::plan::Planner;
use super::rows::{
    rows_per_statement, Bulk, EventInsert, Rows, ScheduledSessionInsert, EVENT_COLUMNS,
    SESSION_COLUMNS,
};
use super::{GenerateOptions, GenerateSummary, Progress, SessionHistory, INSTRUCTOR_EMAIL};
use crate::error::Fail;

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

/// Writes every table of the data set `options` describe; see the module documentation of
/// `generate`.
pub(super) fn load<C: Bulk>(
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

    let session_base = max_id(conn, "scheduled_sessions")?;
    let (sessions, events) = match options.history {
        SessionHistory::Backlog => (planner.sessions(session_base, options.sessions), Vec::new()),
        SessionHistory::Simulated { days } => {
            let simulation = simulate_history(&planner, options.sessions, days);
            let start = anchor - chrono::Duration::days(i64::from(days));
            let staff = instructors(
                &simulation,
                max_id(conn, "users")?,
                &options.password_hash,
                start,
            );
            summary.instructors = write_table(
                conn,
                "instructors",
                5,
                &staff,
                |rows| Rows::Users(rows),
                progress,
            )?;
            let staff_ids: Vec<i32> = staff.iter().map(|row| row.id).collect();
            rows(
                &planner,
                &simulation,
                &planner.bookers(),
                &staff_ids,
                session_base,
                max_id(conn, "scheduled_session_events")?,
            )
        }
    };
    summary.sessions = sessions.len() as u64;
    summary.events = events.len() as u64;
    summary.pending_sessions = sessions
        .iter()
        .filter(|row| row.session_completed_at.is_none() && row.cancelled_at.is_none())
        .count() as u64;
    let (pending, completed) = write_sessions(conn, &sessions, &events, progress)?;
    summary.counter_pending = pending;
    summary.counter_completed = completed;
    conn.advance_sequences()?;
    progress.phase("analyze", 0);
    conn.after_load()?;
    Ok(summary)
}

/// Writes the sessions and their events in one transaction with the session triggers paused,
/// then recounts; returns the counter's pending and completed totals.
fn write_sessions<C: Bulk>(
    conn: &mut C,
    sessions: &[ScheduledSessionInsert],
    events: &[EventInsert],
    progress: &dyn Progress,
) -> Result<(i64, i64), Fail> {
    progress.phase("scheduled sessions", (sessions.len() + events.len()) as u64);
    conn.write_transaction(|conn| {
        conn.pause_session_triggers()?;
        for chunk in sessions.chunks(rows_per_statement(SESSION_COLUMNS)) {
            conn.insert_rows(Rows::ScheduledSessions(chunk))?;
            progress.advance(chunk.len() as u64);
        }
        for chunk in events.chunks(rows_per_statement(EVENT_COLUMNS)) {
            conn.insert_rows(Rows::Events(chunk))?;
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
    })
}
