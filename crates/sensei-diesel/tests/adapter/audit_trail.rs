//! The audit trail (`scheduled_session_events`) is append-only in the database itself, on
//! SQLite and PostgreSQL: every statement that could rewrite it (update, delete, replace,
//! upsert, truncate) is refused on a direct connection, whoever runs it, and ordinary
//! appends keep working.

use chrono::{Duration, Utc};
use sensei_core::ports::CreateOutcome;
use sensei_core::*;
use sensei_diesel::DatabaseUrl;

use crate::common::{fixture, new_session, TestDb};

/// Books one session: the trail then holds exactly one event (`booked`, id 1).
async fn book_one(t: &TestDb) -> ScheduledSession {
    let f = fixture(&t.db).await;
    let outcome =
        t.db.ports()
            .sessions
            .create_unless_recent(
                new_session(f.student, f.submission, Utc::now()),
                Utc::now() - Duration::hours(1),
                3,
            )
            .await
            .unwrap();
    match outcome {
        CreateOutcome::Created(session) => session,
        other => panic!("expected Created, got {other:?}"),
    }
}

/// The trail's size and whether event 1 is still the original `booked` event (1) or not (0).
fn trail(t: &TestDb) -> (i64, i64) {
    let all = t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events");
    let first = t.count_sql(
        "SELECT COUNT(*) AS n FROM scheduled_session_events \
         WHERE id = 1 AND kind = 'booked' AND from_state IS NULL AND detail IS NULL",
    );
    (all, first)
}

/// A row that would overwrite event 1, for the statements that try to.
fn values(session: &ScheduledSession) -> String {
    format!(
        "(1, {}, '2020-01-01 00:00:00', 'cancelled', 'cancelled', 'rewritten')",
        session.id
    )
}

const COLUMNS: &str = "(id, session_id, occurred_at, kind, to_state, detail)";

/// The statements every backend must refuse.
fn common_statements(session: &ScheduledSession) -> Vec<String> {
    let values = values(session);
    vec![
        "UPDATE scheduled_session_events SET kind = 'claimed' WHERE id = 1".to_owned(),
        "DELETE FROM scheduled_session_events WHERE id = 1".to_owned(),
        "DELETE FROM scheduled_session_events".to_owned(),
        // An upsert: the conflict path is an update of the existing row.
        format!(
            "INSERT INTO scheduled_session_events {COLUMNS} VALUES {values} \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, detail = excluded.detail"
        ),
    ]
}

/// SQLite's own ways to replace a row: they delete the old one without firing delete
/// triggers (unless `recursive_triggers` is on, which the platform does not set).
fn sqlite_statements(session: &ScheduledSession) -> Vec<String> {
    let values = values(session);
    vec![
        format!("REPLACE INTO scheduled_session_events {COLUMNS} VALUES {values}"),
        format!("INSERT OR REPLACE INTO scheduled_session_events {COLUMNS} VALUES {values}"),
        "UPDATE OR REPLACE scheduled_session_events SET kind = 'claimed' WHERE id = 1".to_owned(),
        // The replace trigger reads an id SQLite is about to assign as -1: no row may hold one.
        format!(
            "INSERT INTO scheduled_session_events {COLUMNS} \
             VALUES (-1, {}, '2020-01-01 00:00:00', 'booked', 'pending', NULL)",
            session.id
        ),
    ]
}

/// PostgreSQL's: `TRUNCATE` fires no row trigger; `MERGE` (PostgreSQL 15+) updates or deletes.
/// A plain `TRUNCATE` is refused anyway (the webhook outbox references the trail); `CASCADE`
/// would empty both.
fn postgres_statements(t: &TestDb) -> Vec<String> {
    let mut statements = vec![
        "TRUNCATE scheduled_session_events CASCADE".to_owned(),
        "TRUNCATE scheduled_sessions, scheduled_session_events RESTART IDENTITY CASCADE".to_owned(),
    ];
    let version = t.count_sql("SELECT current_setting('server_version_num')::bigint AS n");
    if version >= 150_000 {
        statements.push(
            "MERGE INTO scheduled_session_events e USING (SELECT 1 AS id) s ON e.id = s.id \
             WHEN MATCHED THEN UPDATE SET kind = 'claimed'"
                .to_owned(),
        );
        statements.push(
            "MERGE INTO scheduled_session_events e USING (SELECT 1 AS id) s ON e.id = s.id \
             WHEN MATCHED THEN DELETE"
                .to_owned(),
        );
    }
    statements
}

async fn no_statement_rewrites_the_trail(t: TestDb) {
    let session = book_one(&t).await;
    assert_eq!(trail(&t), (1, 1), "one booked event to start with");
    let mut statements = common_statements(&session);
    match &t.url {
        DatabaseUrl::Sqlite(_) => statements.extend(sqlite_statements(&session)),
        DatabaseUrl::Postgres(_) => statements.extend(postgres_statements(&t)),
    }
    for sql in statements {
        let refused = t.try_execute_sql(&sql);
        let message = match refused {
            Err(message) => message,
            Ok(()) => panic!("`{sql}` must be refused; the trail is now {:?}", trail(&t)),
        };
        assert!(
            message.contains("scheduled_session_events"),
            "`{sql}` is refused by the trail's own rule, not by chance: {message}"
        );
        assert_eq!(trail(&t), (1, 1), "`{sql}` left the trail as it was");
    }
}

async fn appends_keep_working(t: TestDb) {
    let session = book_one(&t).await;
    // Ordinary appends: without an id (assigned), and with a new one.
    t.execute_sql(&format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) \
         VALUES ({0}, '2026-01-01 00:00:00', 'released', 'pending'); \
         INSERT INTO scheduled_session_events {COLUMNS} \
         VALUES (1000, {0}, '2026-01-01 00:00:00', 'released', 'pending', NULL)",
        session.id
    ));
    let events = t.db.ports().sessions.events(session.id, 10).await.unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].kind, EventKind::Booked);
    // On SQLite, assigned ids go on above an explicit one (AUTOINCREMENT); PostgreSQL's
    // sequence ignores explicit ids, so only SQLite is asked.
    if let DatabaseUrl::Sqlite(_) = t.url {
        t.execute_sql(&format!(
            "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) \
             VALUES ({}, '2026-01-01 00:00:00', 'released', 'pending')",
            session.id
        ));
        assert_eq!(
            t.count_sql("SELECT MAX(id) AS n FROM scheduled_session_events"),
            1001
        );
    }
}

crate::both_backends!(no_statement_rewrites_the_trail, appends_keep_working);
