//! The simulated history as rows: instructors, sessions whose columns match their final state,
//! and the audit trail of every booking, claim, renewal, release, completion and cancellation.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sensei_core::{EventKind, Role, SessionState};

use super::plan::{id, ts, Booker, Planner};
use super::rows::{EventInsert, ScheduledSessionInsert, UserInsert};
use super::simulate::{simulate, FinalState, QueueSetup, SimEvent, Simulation};
use super::words::NOTES;
use super::STUDENT_DOMAIN;

/// Why generated students cancel (free text, as students write it).
const CANCEL_REASONS: [&str; 4] = [
    "Solved it myself",
    "A classmate helped",
    "Cannot wait any longer today",
    "",
];

/// The random stream of the simulation (the other tables use 1-8).
const SIMULATION_STREAM: u64 = 9;

/// Runs the queue for `sessions` bookings over the `days` before the planner's anchor.
pub(crate) fn simulate_history(planner: &Planner, sessions: u32, days: u32) -> Simulation {
    let mut rng = planner.rng(SIMULATION_STREAM);
    simulate(
        QueueSetup {
            sessions: sessions as usize,
            days,
            end: planner.anchor().timestamp(),
        },
        &mut rng,
    )
}

/// The simulation's instructors: `instructor<id>@bench.example`.
pub(crate) fn instructors(
    simulation: &Simulation,
    base: i64,
    hash: &str,
    created_at: DateTime<Utc>,
) -> Vec<UserInsert> {
    (0..simulation.instructors)
        .map(|index| {
            let id = id(base, index);
            UserInsert {
                id,
                email: format!("instructor{id}@{STUDENT_DOMAIN}"),
                role: Role::Instructor.as_str(),
                password_hash: hash.to_owned(),
                created_at: ts(created_at),
            }
        })
        .collect()
}

/// The sessions' and events' rows: session `i` of the simulation gets id `session_base + 1 +
/// i`, a booker drawn from `bookers`, and the columns of its final state; events get ids in
/// time order after `event_base`. `instructor_ids` are the users written by [`instructors`].
pub(crate) fn rows(
    planner: &Planner,
    simulation: &Simulation,
    bookers: &[Booker],
    instructor_ids: &[i32],
    session_base: i64,
    event_base: i64,
) -> (Vec<ScheduledSessionInsert>, Vec<EventInsert>) {
    if bookers.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut rng = planner.rng(SIMULATION_STREAM + 1);
    let instructor = |index: usize| instructor_ids.get(index).copied();
    let mut students = Vec::with_capacity(simulation.sessions.len());
    let sessions: Vec<ScheduledSessionInsert> = simulation
        .sessions
        .iter()
        .enumerate()
        .map(|(index, session)| {
            let booker = bookers[rng.random_range(0..bookers.len())];
            students.push(booker.user);
            let mut row = booker.row(id(session_base, index), utc(session.booked_at));
            match session.state {
                FinalState::Pending => {}
                FinalState::Claimed {
                    instructor: who,
                    until,
                } => {
                    row.claimed_by = instructor(who);
                    row.claim_expires_at = Some(ts(utc(until)));
                }
                FinalState::Completed {
                    instructor: who,
                    at,
                } => {
                    row.session_completed_at = Some(ts(utc(at)));
                    row.completed_by = instructor(who);
                    row.notes = Some(NOTES[rng.random_range(0..NOTES.len())].to_owned());
                }
                FinalState::Cancelled { at } => {
                    row.cancelled_at = Some(ts(utc(at)));
                    let reason = CANCEL_REASONS[rng.random_range(0..CANCEL_REASONS.len())];
                    row.cancel_reason = (!reason.is_empty()).then_some(reason);
                }
            }
            row
        })
        .collect();
    let events = simulation
        .events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            let actor = match event.instructor {
                Some(who) => instructor(who),
                None => Some(students[event.session]),
            };
            let reason = sessions[event.session].cancel_reason;
            event_row(
                id(event_base, index),
                id(session_base, event.session),
                event,
                actor,
                reason,
            )
        })
        .collect();
    (sessions, events)
}

/// One event as stored: states and detail as the service writes them.
fn event_row(
    id: i32,
    session_id: i32,
    event: &SimEvent,
    actor_id: Option<i32>,
    cancel_reason: Option<&'static str>,
) -> EventInsert {
    use SessionState::{Cancelled, Claimed, Completed, Pending};
    let (from, to) = match event.kind {
        EventKind::Booked => (None, Pending),
        EventKind::Claimed => (Some(Pending), Claimed),
        EventKind::Renewed => (Some(Claimed), Claimed),
        EventKind::Released => (Some(Claimed), Pending),
        EventKind::Completed => (Some(Claimed), Completed),
        EventKind::Cancelled => (Some(Pending), Cancelled),
    };
    let detail = match event.kind {
        EventKind::Claimed | EventKind::Renewed => {
            let until = utc(event.at) + Duration::seconds(event.holds_for);
            Some(format!("until {}", until.format("%Y-%m-%d %H:%M UTC")))
        }
        EventKind::Completed => Some("with private notes".to_owned()),
        EventKind::Cancelled => cancel_reason.map(str::to_owned),
        EventKind::Booked | EventKind::Released => None,
    };
    EventInsert {
        id,
        session_id,
        occurred_at: ts(utc(event.at)),
        actor_id,
        kind: event.kind.as_str(),
        from_state: from.map(SessionState::as_str),
        to_state: to.as_str(),
        detail,
    }
}

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}
