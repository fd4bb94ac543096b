//! The two backends compared. Deduplication and the open-session limit are Rust on SQLite
//! (`book_sqlite`) and PL/pgSQL on PostgreSQL (`sensei_book_session`); claims, completions
//! and cancellations share Rust but not the database under them. Random scripts of bookings,
//! claims, renewals, releases, completions, cancellations and clock steps (a few people, so
//! they collide; steps on the claim-time and dedup-window edges) run through the core's
//! service:
//!
//! * serially on both backends at once, every outcome compared exactly (the session as
//!   returned, or the error's code and message), then every session and its events;
//! * from four tasks at once on each backend, the tables then checked against the rules
//!   (`invariants.rs`).
//!
//! Each run prints its seed; `SENSEI_DIFF_SEED=<seed>` repeats it, `SENSEI_DIFF_SEQUENCES`
//! and `SENSEI_DIFF_OPS` change its size.

mod invariants;
mod runner;
mod script;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::Duration;
use sensei_core::ports::ScheduledSessionRepository;
use sensei_core::{Policy, SessionQuery, StatusFilter};

use crate::common::{at, TestDb};
use runner::{is_store_failure, kind_of, Cast, ManualClock, Runner};
use script::{script, sequence_seed, Op};

/// Sequences per serial run, and how many of them the concurrent runs take.
const SEQUENCES: usize = 30;
const CONCURRENT_SEQUENCES: usize = 6;
/// Operations per sequence.
const OPS: usize = 60;
/// Tasks running one sequence at once.
const TASKS: usize = 4;

fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(raw) => raw
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={raw:?} is not a number")),
        Err(_) => default,
    }
}

/// The run's seed, one for the whole test binary (so the concurrent runs take the serial
/// run's sequences), printed so a failure can be repeated.
fn seed(test: &str) -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let from_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |since| since.as_nanos() as u64);
        setting("SENSEI_DIFF_SEED", from_time)
    });
    eprintln!("{test}: seed {seed} (SENSEI_DIFF_SEED={seed} repeats it)");
    seed
}

fn sizes() -> (usize, usize) {
    (
        setting("SENSEI_DIFF_SEQUENCES", SEQUENCES as u64) as usize,
        setting("SENSEI_DIFF_OPS", OPS as u64) as usize,
    )
}

/// Each sequence starts a week after the previous one, so earlier sequences' claims and
/// dedup windows are long over (their people are others anyway).
fn sequence_start(index: usize) -> chrono::DateTime<chrono::Utc> {
    at(2027, 1, 1, 9, 0, 0) + Duration::weeks(index as i64)
}

/// Everything the store says about the given sessions: each as read, and its events.
async fn stored(t: &TestDb, sessions: &[sensei_core::ScheduledSessionId]) -> Vec<String> {
    let store = t.db.ports().sessions;
    let mut lines = Vec::new();
    for id in sessions {
        lines.push(format!("{:?}", store.get(*id).await.expect("session")));
        lines.push(format!(
            "{:?}",
            store.events(*id, 1000).await.expect("events")
        ));
    }
    lines
}

/// The number of sessions in each state as of `now`.
async fn counts(
    store: &Arc<dyn ScheduledSessionRepository>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<u64> {
    let mut counts = Vec::new();
    for status in [
        StatusFilter::Pending,
        StatusFilter::Claimed,
        StatusFilter::Open,
        StatusFilter::Completed,
        StatusFilter::Cancelled,
        StatusFilter::All,
    ] {
        let query = SessionQuery {
            status,
            as_of: Some(now),
            ..SessionQuery::default()
        };
        counts.push(store.count(&query).await.expect("count"));
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_runs_agree_on_sqlite_and_postgres() {
    let Some(postgres) = TestDb::postgres().await else {
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let seed = seed("serial_runs_agree_on_sqlite_and_postgres");
    let (sequences, length) = sizes();
    let policy = Policy::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for index in 0..sequences {
        let ops = script(sequence_seed(seed, index), length, &policy);
        let tag = format!("serial-{index}");
        let start = sequence_start(index);
        let cast_s = Cast::create(&sqlite, &tag, start);
        let cast_p = Cast::create(&postgres, &tag, start);
        assert_eq!(
            format!("{cast_s:?}"),
            format!("{cast_p:?}"),
            "seed {seed}: the people's ids differ"
        );
        let clock_s = ManualClock::starting_at(start);
        let clock_p = ManualClock::starting_at(start);
        let mut on_sqlite = Runner::new(&sqlite.db, cast_s, clock_s.clone());
        let mut on_postgres = Runner::new(&postgres.db, cast_p, clock_p.clone());
        for (step, op) in ops.iter().enumerate() {
            let (s, p) = tokio::join!(on_sqlite.apply(*op), on_postgres.apply(*op));
            assert!(
                s == p && !is_store_failure(&s),
                "seed {seed}, sequence {index}, operation {step} ({op:?}):\n  SQLite:     {s}\n  \
                 PostgreSQL: {p}\nthe sequence up to here:\n{}",
                describe(&ops[..=step])
            );
            *seen.entry(kind_of(&s).to_owned()).or_default() += 1;
        }
        let known = on_sqlite.known();
        assert_eq!(known, on_postgres.known(), "seed {seed}, sequence {index}");
        let (rows_s, rows_p) = tokio::join!(stored(&sqlite, &known), stored(&postgres, &known));
        for (s, p) in rows_s.iter().zip(&rows_p) {
            assert_eq!(
                s, p,
                "seed {seed}, sequence {index}: the stored sessions differ"
            );
        }
        let now = sensei_core::ports::Clock::now(clock_s.as_ref());
        let (store_s, store_p) = (sqlite.db.ports().sessions, postgres.db.ports().sessions);
        let (counts_s, counts_p) = tokio::join!(counts(&store_s, now), counts(&store_p, now));
        assert_eq!(
            counts_s, counts_p,
            "seed {seed}, sequence {index}: the counts differ"
        );
    }
    eprintln!("serial_runs_agree_on_sqlite_and_postgres: outcomes {seen:?}");
    // At the default size every decision the two backends make differently in code came up
    // (a script too tame to reach them would prove nothing).
    if (sequences, length) == (SEQUENCES, OPS) {
        for kind in COVERED {
            assert!(
                seen.contains_key(kind),
                "seed {seed}: no {kind} outcome in the run: {seen:?}"
            );
        }
    }
}

/// The outcomes a default-sized run must include: new and duplicate bookings, the
/// open-session limit, claims applied and refused (held by another, the claim limit), and
/// closed sessions.
const COVERED: [&str; 6] = [
    "Created",
    "Duplicate",
    "too_many_open_sessions",
    "held_by_other",
    "claim_limit",
    "session_closed",
];

fn describe(ops: &[Op]) -> String {
    ops.iter()
        .enumerate()
        .map(|(step, op)| format!("  {step:>3} {op:?}\n"))
        .collect()
}

/// Runs each sequence from [`TASKS`] tasks at once on `t` (one clock, moved by all of them)
/// and checks the rules on the tables after each.
async fn concurrent_runs_keep_the_rules(t: TestDb, test: &str) {
    let seed = seed(test);
    let (sequences, length) = sizes();
    let policy = Policy::default();
    for index in 0..sequences.min(CONCURRENT_SEQUENCES) {
        let ops = Arc::new(script(sequence_seed(seed, index), length, &policy));
        let start = sequence_start(index);
        let cast = Cast::create(&t, &format!("concurrent-{index}"), start);
        let clock = ManualClock::starting_at(start);
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let mut runner = Runner::new(&t.db, cast.clone(), clock.clone());
                let ops = Arc::clone(&ops);
                tokio::spawn(async move {
                    let mut failures = Vec::new();
                    for (step, op) in ops.iter().enumerate() {
                        let outcome = runner.apply(*op).await;
                        if is_store_failure(&outcome) {
                            failures.push(format!("operation {step} ({op:?}): {outcome}"));
                        }
                    }
                    failures
                })
            })
            .collect();
        for task in tasks {
            let failures = task.await.expect("task");
            assert!(
                failures.is_empty(),
                "seed {seed}, sequence {index}: the store failed:\n{}",
                failures.join("\n")
            );
        }
        let broken = invariants::violations(&t, &policy);
        assert!(
            broken.is_empty(),
            "seed {seed}, sequence {index}, {TASKS} tasks at once:\n{}\nthe sequence:\n{}",
            broken.join("\n"),
            describe(&ops)
        );
    }
    eprintln!(
        "{test}: the rules held over {} sessions and {} events",
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_sessions"),
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runs_keep_the_rules_on_sqlite() {
    concurrent_runs_keep_the_rules(
        TestDb::sqlite().await,
        "concurrent_runs_keep_the_rules_on_sqlite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runs_keep_the_rules_on_postgres() {
    if let Some(t) = TestDb::postgres().await {
        concurrent_runs_keep_the_rules(t, "concurrent_runs_keep_the_rules_on_postgres").await;
    }
}
