//! Erasure on both backends: after `erase_account`, neither the person's email nor their
//! notes or cancel reasons occur in any text of any table (every column of every table is
//! read, so a table added later is covered too), the rows and their numbers stay, and the
//! audit trail still refuses every other rewrite.

use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use sensei_core::ports::{
    AccountAdminStore, AccountRepository, AccountUpdate, ApiTokenStore, CreateOutcome, DeskStore,
    PreferenceStore,
};
use sensei_core::*;
use sensei_diesel::DatabaseUrl;

use super::account_admin::op;
use crate::common::{fixture, new_session, Fixture, TestDb};

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// Every `table.column` of the database whose text contains `needle`: every column of every
/// table, read as text.
fn occurrences(t: &TestDb, needle: &str) -> Vec<String> {
    let quoted = needle.replace('\'', "''");
    let columns: Vec<Column> = match &t.url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name \
                 FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
            )
            .load(&mut conn)
            .unwrap()
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).unwrap();
            diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns c \
                 WHERE table_schema = 'public' AND EXISTS (SELECT 1 FROM information_schema.tables \
                   WHERE table_schema = 'public' AND table_name = c.table_name \
                   AND table_type = 'BASE TABLE')",
            )
            .load(&mut conn)
            .unwrap()
        }
    };
    assert!(columns.len() > 40, "every table's columns were listed");
    columns
        .into_iter()
        .filter(|column| {
            let sql = match &t.url {
                DatabaseUrl::Sqlite(_) => format!(
                    "SELECT COUNT(*) AS n FROM \"{}\" WHERE instr(CAST(\"{}\" AS TEXT), '{quoted}') > 0",
                    column.table_name, column.column_name
                ),
                DatabaseUrl::Postgres(_) => format!(
                    "SELECT COUNT(*) AS n FROM \"{}\" WHERE strpos(\"{}\"::text, '{quoted}') > 0",
                    column.table_name, column.column_name
                ),
            };
            t.count_sql(&sql) > 0
        })
        .map(|column| format!("{}.{}", column.table_name, column.column_name))
        .collect()
}

fn service(t: &TestDb) -> SenseiService {
    SenseiService::new(t.db.ports(), Policy::default())
}

async fn book(t: &TestDb, student: UserId, f: &Fixture) -> ScheduledSession {
    let submission =
        t.db.platform_writer()
            .create_submission(student, f.challenge, Utc::now() - Duration::days(1))
            .await
            .unwrap();
    match t
        .db
        .ports()
        .sessions
        .create_unless_recent(
            new_session(student, submission, Utc::now()),
            Utc::now() - Duration::hours(1),
            3,
        )
        .await
        .unwrap()
    {
        CreateOutcome::Created(session) => session,
        other => panic!("expected Created, got {other:?}"),
    }
}

/// Alice (the fixture's student) with a completed session (notes about and for her), a
/// cancelled one (her reason), a sign-in and a role change on record; Bob with a cancelled
/// session of his own. Returns the ids of Alice's sessions.
async fn alice_with_history(t: &TestDb, f: &Fixture) -> Vec<ScheduledSessionId> {
    let service = service(t);
    let sensei = Actor::instructor(f.instructor);
    let done = book(t, f.student, f).await;
    service.claim(sensei, done.id).await.unwrap();
    service
        .complete_with_notes(sensei, done.id, "NOTE-ABOUT-ALICE", "NOTE-FOR-ALICE")
        .await
        .unwrap();
    let cancelled = book(t, f.student, f).await;
    service.claim(sensei, cancelled.id).await.unwrap();
    service
        .cancel(Actor::student(f.student), cancelled.id, "REASON-OF-ALICE")
        .await
        .unwrap();
    let bobs = book(t, f.other, f).await;
    service
        .cancel(Actor::student(f.other), bobs.id, "REASON-OF-BOB")
        .await
        .unwrap();
    let accounts = t.db.accounts();
    accounts
        .start_sign_in(f.student, Utc::now() + Duration::hours(1))
        .await
        .unwrap();
    accounts
        .set_role("alice@example.com", Role::Instructor, &op(), Utc::now())
        .await
        .unwrap();
    // Her API token, named by her, and her time zone.
    t.db.api_tokens()
        .create(
            NewApiToken {
                owner: f.student,
                name: ApiTokenName::new("TOKEN-OF-ALICE").unwrap(),
                hash: ApiToken::from_random([7; API_TOKEN_BYTES]).hash(),
                created_at: Utc::now(),
                expires_at: Utc::now() + Duration::days(30),
            },
            &op(),
        )
        .await
        .unwrap();
    t.db.preferences()
        .set_time_zone(
            f.student,
            Some(TimeZoneName::from_catalog("Pacific/Chatham")),
            Utc::now(),
        )
        .await
        .unwrap();
    vec![done.id, cancelled.id]
}

const ALICES: [&str; 6] = [
    "alice@example.com",
    "NOTE-ABOUT-ALICE",
    "NOTE-FOR-ALICE",
    "REASON-OF-ALICE",
    "TOKEN-OF-ALICE",
    "Pacific/Chatham",
];

async fn erasure_leaves_no_trace_of_the_person_in_any_table(t: TestDb) {
    let f = fixture(&t.db).await;
    let sessions = alice_with_history(&t, &f).await;
    for needle in ALICES {
        assert!(
            !occurrences(&t, needle).is_empty(),
            "{needle} is stored before"
        );
    }
    let events_before = t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events");
    let counts_before = t.count_sql(
        "SELECT pending_count + 10 * completed_count + 100 * cancelled_count AS n \
         FROM scheduled_session_counts",
    );

    let erased =
        t.db.accounts()
            .erase_account("alice@example.com", &op(), Utc::now())
            .await
            .unwrap();
    assert_eq!(erased, AccountUpdate::Done(f.student));

    for needle in ALICES {
        assert_eq!(
            occurrences(&t, needle),
            Vec::<String>::new(),
            "{needle} is gone"
        );
    }
    // Everyone else's words stay.
    assert_eq!(
        occurrences(&t, "REASON-OF-BOB"),
        vec![
            "scheduled_sessions.cancel_reason".to_owned(),
            "scheduled_session_events.detail".to_owned()
        ]
    );
    // The rows and their numbers stay; the account is a disabled tombstone.
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events"),
        events_before
    );
    assert_eq!(
        t.count_sql(
            "SELECT pending_count + 10 * completed_count + 100 * cancelled_count AS n \
             FROM scheduled_session_counts"
        ),
        counts_before
    );
    for id in &sessions {
        assert_eq!(
            t.count_sql(&format!(
                "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE id = {} AND user_id = {}",
                id.get(),
                f.student.get()
            )),
            1
        );
    }
    let id = f.student.get();
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM users WHERE id = {id} AND email = 'erased-{id}@invalid' \
             AND password_hash = '' AND disabled_at IS NOT NULL"
        )),
        1
    );
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = {id}"
        )),
        0
    );
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM admin_audit WHERE kind = 'erased' AND subject_user_id = {id}"
        )),
        1,
        "the erasure is recorded by id"
    );
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM erasures WHERE in_progress = FALSE"),
        1
    );
    let shown = service(&t)
        .timeline(Actor::instructor(f.instructor), sessions[1])
        .await
        .unwrap();
    assert!(shown
        .events
        .iter()
        .any(|event| event.detail.as_deref() == Some(ERASED_TEXT)));

    // Idempotent: the old email finds nothing; the tombstone changes nothing more.
    let accounts = t.db.accounts();
    assert_eq!(
        accounts
            .erase_account("alice@example.com", &op(), Utc::now())
            .await
            .unwrap(),
        AccountUpdate::NoSuchAccount
    );
    assert_eq!(
        accounts
            .erase_account(&erased_email(f.student), &op(), Utc::now())
            .await
            .unwrap(),
        AccountUpdate::Done(f.student)
    );
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM erasures"), 1);
    assert_eq!(
        accounts.find_by_email("alice@example.com").await.unwrap(),
        None
    );
}

async fn after_an_erasure_every_other_rewrite_is_still_refused(t: TestDb) {
    let f = fixture(&t.db).await;
    alice_with_history(&t, &f).await;
    t.db.accounts()
        .erase_account("alice@example.com", &op(), Utc::now())
        .await
        .unwrap();
    let alice = f.student.get();
    let theirs = format!("(SELECT id FROM scheduled_sessions WHERE user_id = {alice})");
    let refused = [
        // The tombstone itself, outside an erasure (the closed one opens nothing).
        "UPDATE scheduled_session_events SET detail = '[erased]' WHERE detail = 'REASON-OF-BOB'"
            .to_owned(),
        "UPDATE scheduled_session_events SET kind = 'claimed'".to_owned(),
        "UPDATE scheduled_session_events SET detail = 'rewritten' WHERE detail = '[erased]'"
            .to_owned(),
        "DELETE FROM scheduled_session_events".to_owned(),
        // Opening an erasure by hand lets through only the tombstone, nothing else.
        format!(
            "INSERT INTO erasures (user_id, erased_at) VALUES ({alice}, '2026-01-01 00:00:00'); \
             UPDATE scheduled_session_events SET kind = 'claimed', detail = '[erased]' \
             WHERE session_id IN {theirs}"
        ),
        format!(
            "INSERT INTO erasures (user_id, erased_at) VALUES ({alice}, '2026-01-01 00:00:00'); \
             DELETE FROM scheduled_session_events WHERE session_id IN {theirs}"
        ),
        // The erasures and the record of changes keep what they hold.
        "UPDATE erasures SET in_progress = TRUE".to_owned(),
        "UPDATE erasures SET user_id = 0".to_owned(),
        "DELETE FROM erasures".to_owned(),
        "UPDATE admin_audit SET detail = 'rewritten'".to_owned(),
        "DELETE FROM admin_audit".to_owned(),
    ];
    let events = t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events");
    for sql in refused {
        // Each in a transaction of its own, so a refused statement undoes its batch.
        let batch = format!("BEGIN; {sql}; COMMIT;");
        assert!(
            t.try_execute_sql(&batch).is_err(),
            "`{sql}` must be refused"
        );
        assert_eq!(
            t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events"),
            events
        );
        assert_eq!(
            t.count_sql(
                "SELECT COUNT(*) AS n FROM scheduled_session_events WHERE detail = 'REASON-OF-BOB'"
            ),
            1
        );
    }
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM erasures WHERE in_progress = FALSE"),
        1
    );
    if let DatabaseUrl::Postgres(_) = t.url {
        for sql in ["TRUNCATE admin_audit", "TRUNCATE erasures"] {
            assert!(t.try_execute_sql(sql).is_err(), "`{sql}` must be refused");
        }
    }
}

async fn erasing_an_instructor_removes_the_notes_they_wrote(t: TestDb) {
    let f = fixture(&t.db).await;
    alice_with_history(&t, &f).await;
    let desk = t.db.desk();
    desk.record_presence(f.instructor, Utc::now())
        .await
        .unwrap();
    desk.choose_challenges(f.instructor, vec![f.challenge])
        .await
        .unwrap();
    t.db.accounts()
        .erase_account("sensei@example.com", &op(), Utc::now())
        .await
        .unwrap();
    for table in ["instructor_presence", "instructor_challenges"] {
        assert_eq!(
            t.count_sql(&format!("SELECT COUNT(*) AS n FROM {table}")),
            0,
            "{table} forgets the instructor"
        );
    }
    for needle in ["sensei@example.com", "NOTE-ABOUT-ALICE", "NOTE-FOR-ALICE"] {
        assert_eq!(
            occurrences(&t, needle),
            Vec::<String>::new(),
            "{needle} is gone"
        );
    }
    // Alice's own words stay: she was not erased.
    assert!(!occurrences(&t, "alice@example.com").is_empty());
}

crate::both_backends!(
    erasure_leaves_no_trace_of_the_person_in_any_table,
    after_an_erasure_every_other_rewrite_is_still_refused,
    erasing_an_instructor_removes_the_notes_they_wrote,
);
