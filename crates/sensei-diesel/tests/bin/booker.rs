//! `sensei-diesel-booker`: the child process of `two_processes_book_once` in
//! `tests/adapter/dedup.rs` (bookings from two processes at once must create one record). Not
//! a test and not a tool: built only with the `testing` feature, found by the test with
//! `env!("CARGO_BIN_EXE_sensei-diesel-booker")`.
//!
//! Usage: `sensei-diesel-booker URL USER_ID SUBMISSION_ID START_UNIX_MS`. Waits until
//! `START_UNIX_MS`, books the pair from 25 tasks at once and prints `CHILD_CREATED=<n>`, the
//! number of bookings that created a record.

// Tests read the wall clock to set up data; the code under test reads the `Clock` port.
#![allow(clippy::disallowed_methods)]

use std::error::Error;
use std::time::Duration;

use chrono::Utc;
use sensei_core::ports::CreateOutcome;
use sensei_core::{
    EligibilityReason, EngagementSnapshot, NewScheduledSession, SubmissionId, UserId,
};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, submission, start_ms] = args.as_slice() else {
        return Err("usage: sensei-diesel-booker URL USER_ID SUBMISSION_ID START_UNIX_MS".into());
    };
    let url = DatabaseUrl::parse(url)?;
    // A small pool with a patient timeout: the 25 tasks queue for connections instead of
    // opening many (the server's connection limit is shared with the tests running beside us).
    let options = PoolOptions {
        max_connections: 6,
        connection_timeout: Duration::from_secs(30),
    };
    let db = Database::connect(&url, options)?;
    let user = UserId(user.parse()?);
    let submission = SubmissionId(submission.parse()?);
    let start_ms: i64 = start_ms.parse()?;
    let wait = start_ms - Utc::now().timestamp_millis();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
    }
    let mut tasks = Vec::new();
    for task in 0..25 {
        let sessions = db.ports().sessions;
        tasks.push(tokio::spawn(async move {
            let now = Utc::now() + chrono::Duration::milliseconds(task);
            let booking = NewScheduledSession {
                submission_id: submission,
                user_id: user,
                reason: EligibilityReason::NeedsWorkFeedback,
                engagement: EngagementSnapshot {
                    goals_passed: 1,
                    goals_engaged: 1,
                    total_goals: 3,
                },
                scheduled_at: now,
            };
            sessions
                .create_unless_recent(booking, now - chrono::Duration::hours(1), u32::MAX)
                .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        if let CreateOutcome::Created(_) = task.await?? {
            created += 1;
        }
    }
    println!("CHILD_CREATED={created}");
    Ok(())
}
