//! `sensei-diesel-workflow-child`: the child process of the tests in
//! `tests/adapter/workflow_processes.rs` (two processes changing one session at once: exactly
//! one wins). Not a test and not a tool: built only with the `testing` feature, found with
//! `env!("CARGO_BIN_EXE_sensei-diesel-workflow-child")`.
//!
//! Usage: `sensei-diesel-workflow-child OP URL ID ACTOR_ID START_UNIX_MS` where OP is
//! `claim`, `complete` or `cancel` (ID a scheduled session, ACTOR_ID the instructor or
//! student), or `book` (ID a submission, ACTOR_ID the student; at most 3 open sessions).
//! Waits until `START_UNIX_MS`, does it once and prints `RESULT=ok` or `RESULT=<error code>`.

// Tests read the wall clock to set up data; the code under test reads the `Clock` port.
#![allow(clippy::disallowed_methods)]

use std::error::Error;
use std::time::Duration;

use chrono::Utc;
use sensei_core::ports::CreateOutcome;
use sensei_core::{
    Actor, DomainError, EligibilityReason, EngagementSnapshot, NewScheduledSession, Policy,
    ScheduledSessionId, SenseiService, SubmissionId, UserId,
};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, url, id, actor, start_ms] = args.as_slice() else {
        return Err("usage: sensei-diesel-workflow-child OP URL ID ACTOR_ID START_UNIX_MS".into());
    };
    let db = Database::connect(
        &DatabaseUrl::parse(url)?,
        PoolOptions {
            max_connections: 2,
            connection_timeout: Duration::from_secs(30),
        },
    )?;
    let service = SenseiService::new(db.ports(), Policy::default());
    let (id, actor): (i32, i32) = (id.parse()?, actor.parse()?);
    let start_ms: i64 = start_ms.parse()?;
    let wait = start_ms - Utc::now().timestamp_millis();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
    }
    let session = ScheduledSessionId(id);
    let result: Result<(), String> = match op.as_str() {
        "claim" => service
            .claim(Actor::instructor(UserId(actor)), session)
            .await
            .map(drop)
            .map_err(|error| error.code().to_owned()),
        "complete" => service
            .complete(Actor::instructor(UserId(actor)), session, "done")
            .await
            .map(drop)
            .map_err(|error| error.code().to_owned()),
        "cancel" => service
            .cancel(Actor::student(UserId(actor)), session, "")
            .await
            .map(drop)
            .map_err(|error| error.code().to_owned()),
        "book" => {
            let now = Utc::now();
            let new = NewScheduledSession {
                submission_id: SubmissionId(id),
                user_id: UserId(actor),
                reason: EligibilityReason::NeedsWorkFeedback,
                engagement: EngagementSnapshot {
                    goals_passed: 1,
                    goals_engaged: 0,
                    total_goals: 1,
                },
                scheduled_at: now,
            };
            match db
                .ports()
                .sessions
                .create_unless_recent(new, now - chrono::Duration::hours(1), 3)
                .await
            {
                Ok(CreateOutcome::Created(_)) => Ok(()),
                Ok(CreateOutcome::Existing(_)) => Err("duplicate".to_owned()),
                Ok(CreateOutcome::TooManyOpen { .. }) => Err("too_many_open_sessions".to_owned()),
                Err(error) => Err(error.code().to_owned()),
            }
        }
        other => return Err(format!("unknown operation {other:?}").into()),
    };
    match result {
        Ok(()) => println!("RESULT=ok"),
        Err(code) => println!("RESULT={code}"),
    }
    Ok(())
}
