//! Running a script through the core's service: the people it needs, a clock it moves, and
//! each operation's outcome written as comparable text.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sensei_core::ports::Clock;
use sensei_core::{
    Actor, DomainError, Policy, ScheduledSession, ScheduledSessionId, SenseiService, SubmissionId,
    UserId,
};
use sensei_diesel::Database;

use super::invariants::load;
use super::script::{Op, Pick, INSTRUCTORS, STUDENTS, SUBMISSIONS_EACH};
use crate::common::TestDb;

/// A clock that stands still until a script moves it; shared by a run's concurrent runners.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn starting_at(at: DateTime<Utc>) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicI64::new(
            at.timestamp_nanos_opt()
                .expect("a start within the nanosecond range"),
        )))
    }

    fn advance(&self, by: Duration) {
        let nanos = by
            .num_nanoseconds()
            .expect("a step within the nanosecond range");
        self.0.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.0.load(Ordering::SeqCst))
    }
}

/// The people of one run, created alike on each backend (so their ids agree).
#[derive(Debug, Clone)]
pub struct Cast {
    pub students: Vec<UserId>,
    /// `submissions[student][k]`: the student's own.
    pub submissions: Vec<Vec<SubmissionId>>,
    pub instructors: Vec<UserId>,
}

impl Cast {
    /// New accounts and submissions named after `tag` (unique in the database), written in
    /// one transaction (one write each made the set-up most of the test's time), in an order
    /// that numbers them alike on both backends.
    pub fn create(t: &TestDb, tag: &str, at: DateTime<Utc>) -> Cast {
        let when = at.format("%Y-%m-%d %H:%M:%S%.6f");
        let person = |email: String, role: &str| format!("('{email}', '{role}', 'hash', '{when}')");
        let people: Vec<String> = (0..STUDENTS)
            .map(|index| person(format!("{tag}-student-{index}@example.com"), "student"))
            .chain((0..INSTRUCTORS).map(|index| {
                person(
                    format!("{tag}-instructor-{index}@example.com"),
                    "instructor",
                )
            }))
            .collect();
        let challenge = format!("(SELECT id FROM challenges WHERE name = 'Differential {tag}')");
        let students = format!("email LIKE '{tag}-student-%'");
        // The challenge's one goal passed makes every booking eligible: the runs are about
        // the store's rules, not eligibility.
        let mut sql = format!(
            "BEGIN;
             INSERT INTO users (email, role, password_hash, created_at) VALUES {};
             INSERT INTO challenges (name, description) VALUES ('Differential {tag}', 'Compare');
             INSERT INTO goals (challenge_id, title, position) VALUES ({challenge}, 'goal', 0);
             INSERT INTO goal_progress (user_id, goal_id, status, updated_at)
                 SELECT users.id, (SELECT id FROM goals WHERE challenge_id = {challenge}), 'passed',
                        '{when}'
                 FROM users WHERE {students} ORDER BY users.id;",
            people.join(", ")
        );
        for _ in 0..SUBMISSIONS_EACH {
            sql.push_str(&format!(
                "INSERT INTO submissions (user_id, challenge_id, submitted_at)
                     SELECT users.id, {challenge}, '{when}' FROM users WHERE {students}
                     ORDER BY users.id;"
            ));
        }
        sql.push_str("COMMIT;");
        t.execute_sql(&sql);
        let owned: Vec<Owned> = load(
            t,
            &format!(
                "SELECT user_id, id FROM submissions WHERE challenge_id = {challenge} \
                 ORDER BY user_id, id"
            ),
        );
        let mut students: Vec<UserId> = Vec::new();
        let mut submissions: Vec<Vec<SubmissionId>> = Vec::new();
        for row in owned {
            if students.last() != Some(&UserId(row.user_id)) {
                students.push(UserId(row.user_id));
                submissions.push(Vec::new());
            }
            if let Some(own) = submissions.last_mut() {
                own.push(SubmissionId(row.id));
            }
        }
        let instructors: Vec<Owned> = load(
            t,
            &format!(
                "SELECT id AS user_id, id FROM users WHERE email LIKE '{tag}-instructor-%' \
                 ORDER BY id"
            ),
        );
        let cast = Cast {
            students,
            submissions,
            instructors: instructors.iter().map(|row| UserId(row.user_id)).collect(),
        };
        assert_eq!(
            (cast.students.len(), cast.instructors.len()),
            (STUDENTS, INSTRUCTORS),
            "{cast:?}"
        );
        cast
    }
}

/// A row's owner and id.
#[derive(diesel::QueryableByName)]
struct Owned {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    user_id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}

/// Runs operations for one runner: the sessions it has seen, oldest first, with their owners.
pub struct Runner {
    service: SenseiService,
    clock: Arc<ManualClock>,
    cast: Cast,
    known: Vec<(ScheduledSessionId, UserId)>,
}

/// Codes of failures that are the store's, never a rule's answer.
const STORE_FAILURES: [&str; 3] = ["unavailable", "internal", "invalid_input"];

/// An outcome's kind: `Created`, `Duplicate`, `ScheduledSession` (a transition applied), an
/// error's code, `now` (a step), `no`.
pub fn kind_of(outcome: &str) -> &str {
    outcome.split([':', ' ']).next().unwrap_or(outcome)
}

/// Whether an outcome is a failure of the store (an error the rules never give).
pub fn is_store_failure(outcome: &str) -> bool {
    STORE_FAILURES
        .iter()
        .any(|code| outcome.starts_with(&format!("{code}: ")))
}

impl Runner {
    pub fn new(db: &Database, cast: Cast, clock: Arc<ManualClock>) -> Runner {
        let mut ports = db.ports();
        ports.clock = clock.clone();
        Runner {
            service: SenseiService::new(ports, Policy::default()),
            clock,
            cast,
            known: Vec::new(),
        }
    }

    /// The sessions this runner has booked or found, oldest first.
    pub fn known(&self) -> Vec<ScheduledSessionId> {
        self.known.iter().map(|(id, _)| *id).collect()
    }

    /// Applies `op` and says what came of it: the session as returned, or the error's code
    /// and message, or the time after a step.
    pub async fn apply(&mut self, op: Op) -> String {
        let cast = &self.cast;
        let service = &self.service;
        let instructor = |index: usize| Actor::instructor(cast.instructors[index]);
        match op {
            Op::Book {
                student,
                submission,
            } => {
                let actor = Actor::student(cast.students[student]);
                match service
                    .book(actor, cast.submissions[student][submission])
                    .await
                {
                    Ok(booking) => {
                        let session = &booking.session;
                        if !self.known.iter().any(|(id, _)| *id == session.id) {
                            self.known.push((session.id, session.user_id));
                        }
                        format!("{:?} {}", booking.outcome, describe(session))
                    }
                    Err(error) => failure(&error),
                }
            }
            Op::Claim {
                instructor: who,
                session,
            } => match self.pick(session) {
                None => "no session yet".to_owned(),
                Some((id, _)) => written(service.claim(instructor(who), id).await),
            },
            Op::Renew {
                instructor: who,
                session,
            } => match self.pick(session) {
                None => "no session yet".to_owned(),
                Some((id, _)) => written(service.renew_claim(instructor(who), id).await),
            },
            Op::Release {
                instructor: who,
                session,
            } => match self.pick(session) {
                None => "no session yet".to_owned(),
                Some((id, _)) => written(service.release_claim(instructor(who), id).await),
            },
            Op::Complete {
                instructor: who,
                session,
            } => match self.pick(session) {
                None => "no session yet".to_owned(),
                Some((id, _)) => written(service.complete(instructor(who), id, "done").await),
            },
            Op::Cancel {
                session,
                by_owner,
                other,
            } => match self.pick(session) {
                None => "no session yet".to_owned(),
                Some((id, owner)) => {
                    let student = if by_owner {
                        owner
                    } else {
                        cast.students[other]
                    };
                    written(service.cancel(Actor::student(student), id, "").await)
                }
            },
            Op::Advance(by) => {
                self.clock.advance(by);
                format!("now {}", self.clock.now().to_rfc3339())
            }
        }
    }

    fn pick(&self, session: Pick) -> Option<(ScheduledSessionId, UserId)> {
        session
            .resolve(self.known.len())
            .map(|position| self.known[position])
    }
}

fn written<E: DomainError>(result: Result<ScheduledSession, E>) -> String {
    match result {
        Ok(session) => describe(&session),
        Err(error) => failure(&error),
    }
}

fn failure<E: DomainError>(error: &E) -> String {
    format!("{}: {error}", error.code())
}

/// Every field of the session (ids included: both backends number rows alike).
fn describe(session: &ScheduledSession) -> String {
    format!("{session:?}")
}
