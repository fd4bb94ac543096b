//! The rules concurrent runs must keep, checked on the tables afterwards: one session per
//! (student, submission) per dedup window, at most the open-session limit per student and the
//! claim limit per instructor at any moment, and at most one completion per session.
//!
//! The history comes from the events table in id order. On SQLite ids follow commit order;
//! on PostgreSQL an event's id is taken inside its transaction, before its commit, so anything
//! a transaction saw committed has a smaller id: replaying in id order never counts more open
//! sessions or live claims than a booking or a claim saw when it decided.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::pg::PgConnection;
use diesel::query_builder::SqlQuery;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use sensei_core::Policy;
use sensei_diesel::DatabaseUrl;

use crate::common::TestDb;

#[derive(Debug, QueryableByName)]
struct SessionRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    user_id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    submission_id: i32,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    scheduled_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    session_completed_at: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    cancelled_at: Option<NaiveDateTime>,
}

#[derive(Debug, QueryableByName)]
struct EventRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    session_id: i32,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    occurred_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    actor_id: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
}

/// Rows of `sql`, on a direct connection to either backend.
pub fn load<T>(t: &TestDb, sql: &str) -> Vec<T>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    let query: SqlQuery = diesel::sql_query(sql);
    match &t.url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("open");
            query.load(&mut conn).expect("rows")
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).expect("open");
            query.load(&mut conn).expect("rows")
        }
    }
}

/// Every broken rule in the database, described; empty when all hold.
pub fn violations(t: &TestDb, policy: &Policy) -> Vec<String> {
    let sessions: Vec<SessionRow> = load(
        t,
        "SELECT id, user_id, submission_id, scheduled_at, session_completed_at, cancelled_at \
         FROM scheduled_sessions ORDER BY id",
    );
    let events: Vec<EventRow> = load(
        t,
        "SELECT id, session_id, occurred_at, actor_id, kind FROM scheduled_session_events \
         ORDER BY id",
    );
    let mut found = dedup_violations(&sessions, policy);
    found.extend(history_violations(&sessions, &events, policy));
    found
}

/// Sessions not cancelled, per (student, submission), at least a dedup window apart.
fn dedup_violations(sessions: &[SessionRow], policy: &Policy) -> Vec<String> {
    let mut pairs: HashMap<(i32, i32), Vec<&SessionRow>> = HashMap::new();
    for session in sessions.iter().filter(|s| s.cancelled_at.is_none()) {
        pairs
            .entry((session.user_id, session.submission_id))
            .or_default()
            .push(session);
    }
    let mut found = Vec::new();
    for ((student, submission), mut rows) in pairs {
        rows.sort_by_key(|row| (row.scheduled_at, row.id));
        for pair in rows.windows(2) {
            if pair[1].scheduled_at - pair[0].scheduled_at < policy.dedup_window() {
                found.push(format!(
                    "student {student}, submission {submission}: sessions {} and {} booked \
                     {} apart, within the dedup window",
                    pair[0].id,
                    pair[1].id,
                    pair[1].scheduled_at - pair[0].scheduled_at
                ));
            }
        }
    }
    found
}

/// What a replay of the events knows about one session.
#[derive(Default)]
struct Replayed {
    open: bool,
    holder: Option<(i32, NaiveDateTime)>,
    completions: u32,
    closed_by: Option<i32>,
}

/// The events replayed in id order: open sessions per student, live claims per instructor,
/// completions per session, nothing after a session closed, and rows agreeing with events.
fn history_violations(
    sessions: &[SessionRow],
    events: &[EventRow],
    policy: &Policy,
) -> Vec<String> {
    let owner: HashMap<i32, i32> = sessions.iter().map(|s| (s.id, s.user_id)).collect();
    let mut replayed: HashMap<i32, Replayed> = HashMap::new();
    let mut open_per_student: HashMap<i32, u32> = HashMap::new();
    let mut found = Vec::new();
    for event in events {
        let student = owner.get(&event.session_id).copied().unwrap_or(-1);
        let state = replayed.entry(event.session_id).or_default();
        if let Some(closing) = state.closed_by {
            found.push(format!(
                "session {}: event {} ({}) after the closing event {closing}",
                event.session_id, event.id, event.kind
            ));
        }
        match event.kind.as_str() {
            "booked" => {
                state.open = true;
                let open = open_per_student.entry(student).or_default();
                *open += 1;
                if *open > policy.max_open_sessions() {
                    found.push(format!(
                        "student {student}: {open} open sessions after event {} (limit {})",
                        event.id,
                        policy.max_open_sessions()
                    ));
                }
            }
            "claimed" => {
                let holder = event.actor_id.unwrap_or(-1);
                state.holder = Some((holder, event.occurred_at + policy.claim_time()));
                let at = event.occurred_at;
                let live = replayed
                    .values()
                    .filter(|s| s.holder.is_some_and(|(h, until)| h == holder && until > at))
                    .count();
                if live > policy.max_live_claims() as usize {
                    found.push(format!(
                        "instructor {holder}: {live} live claims after event {} at {at} \
                         (limit {})",
                        event.id,
                        policy.max_live_claims()
                    ));
                }
            }
            // A renewal keeps the holder; its later expiry is not replayed, because a renewal
            // takes no instructor lock and a claim deciding at the same time may not have
            // seen it (counting it would blame the store for a claim that was right).
            "renewed" => {}
            "released" => state.holder = None,
            "completed" | "cancelled" => {
                state.holder = None;
                state.closed_by = Some(event.id);
                if event.kind == "completed" {
                    state.completions += 1;
                }
                if state.open {
                    state.open = false;
                    if let Some(open) = open_per_student.get_mut(&student) {
                        *open = open.saturating_sub(1);
                    }
                }
            }
            other => found.push(format!("event {}: unknown kind {other:?}", event.id)),
        }
    }
    for session in sessions {
        let state = replayed.get(&session.id);
        let completions = state.map_or(0, |s| s.completions);
        let rows_say = (
            session.session_completed_at.is_some(),
            session.cancelled_at.is_some(),
        );
        let events_say = (
            completions == 1,
            state.is_some_and(|s| s.closed_by.is_some() && s.completions == 0),
        );
        if completions > 1 || rows_say != events_say {
            found.push(format!(
                "session {}: the row says (completed, cancelled) = {rows_say:?}, \
                 {completions} completion events",
                session.id
            ));
        }
    }
    found
}
