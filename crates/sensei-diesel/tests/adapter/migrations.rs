//! Migrations on both backends: idempotent, and every one goes down and up again to the same
//! schema.

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use sensei_core::*;
use sensei_diesel::{migrations, DatabaseUrl};

use crate::common::{at, book, created, fixture, TestDb};

async fn migrations_are_idempotent(t: TestDb) {
    let again = t.db.migrate().await.unwrap();
    assert!(again.is_empty(), "second run applied {again:?}");
    let again = t.db.migrate_feature_only().await.unwrap();
    assert!(again.is_empty());
    t.db.ping().await.unwrap();
}

/// The schema as the catalogue describes it, one line per object, in a stable order.
/// SQLite: every `sqlite_master` entry with its SQL. PostgreSQL: the columns, indexes,
/// constraints and triggers of the test database's `public` schema.
fn schema(url: &DatabaseUrl) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let lines: Vec<Line> = match url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            diesel::sql_query(
                "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '') \
                 AS line FROM sqlite_master ORDER BY name, type",
            )
            .load(&mut conn)
            .unwrap()
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).unwrap();
            let queries = [
                "SELECT concat_ws(' ', 'column', table_name, ordinal_position, column_name, \
                 data_type, character_maximum_length, is_nullable, column_default) AS line \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 ORDER BY table_name, ordinal_position",
                "SELECT concat_ws(' ', 'index', tablename, indexname, indexdef) AS line \
                 FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
                "SELECT concat_ws(' ', 'constraint', conrelid::regclass::text, conname, \
                 pg_get_constraintdef(oid)) AS line FROM pg_constraint \
                 WHERE connamespace = 'public'::regnamespace ORDER BY 1",
                "SELECT concat_ws(' ', 'trigger', event_object_table, trigger_name, \
                 action_timing, event_manipulation, action_statement) AS line \
                 FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1",
            ];
            queries
                .iter()
                .flat_map(|sql| diesel::sql_query(*sql).load::<Line>(&mut conn).unwrap())
                .collect()
        }
    };
    lines.into_iter().map(|line| line.line).collect()
}

/// Which embedded set a migration belongs to.
#[derive(Clone, Copy)]
enum Set {
    Feature,
    Platform,
}

/// Every migration's set, newest first: the feature's instructor desk, live-event notification,
/// user preferences, admin audit and
/// erasures, email outbox and API tokens; the platform's `users.disabled_at`; the feature's
/// append-only rules, change counter, booking function, webhooks, booking-order index, calendar
/// feeds and workflow; the platform's sign-ins (`auth_sessions`); the feature's first two
/// migrations; the platform schema.
const NEWEST_FIRST: [Set; 18] = [
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Platform,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Feature,
    Set::Platform,
    Set::Feature,
    Set::Feature,
    Set::Platform,
];

async fn migrations_go_down_and_up_again(t: TestDb) {
    let before = schema(&t.url);
    assert!(
        before
            .iter()
            .any(|line| line.contains("scheduled_sessions")),
        "{before:#?}"
    );
    // Some data first: down removes it, up recreates an empty, working schema.
    let f = fixture(&t.db).await;
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    match &t.url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            for set in NEWEST_FIRST {
                let migrations = match set {
                    Set::Feature => migrations::SQLITE_FEATURE,
                    Set::Platform => migrations::SQLITE_PLATFORM,
                };
                conn.revert_last_migration(migrations).unwrap();
            }
            assert!(conn.applied_migrations().unwrap().is_empty());
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url).unwrap();
            for set in NEWEST_FIRST {
                let migrations = match set {
                    Set::Feature => migrations::POSTGRES_FEATURE,
                    Set::Platform => migrations::POSTGRES_PLATFORM,
                };
                conn.revert_last_migration(migrations).unwrap();
            }
            assert!(conn.applied_migrations().unwrap().is_empty());
        }
    }
    let pending = t.db.pending_feature_migrations().await.unwrap();
    assert_eq!(
        pending.len(),
        NEWEST_FIRST
            .iter()
            .filter(|set| matches!(set, Set::Feature))
            .count(),
        "every feature migration is pending: {pending:?}"
    );
    assert_eq!(pending.last().map(String::as_str), Some("20240116000000"));
    let applied = t.db.migrate().await.unwrap();
    assert_eq!(applied.len(), NEWEST_FIRST.len(), "{applied:?}");
    assert_eq!(
        t.db.pending_feature_migrations().await.unwrap(),
        Vec::<String>::new()
    );
    // Up again gives exactly the schema of the first run: every down undoes its up.
    let after = schema(&t.url);
    assert_eq!(before, after);
    let f = fixture(&t.db).await;
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    assert_eq!(
        t.db.ports()
            .sessions
            .count(&SessionQuery::default())
            .await
            .unwrap(),
        1
    );
}

crate::both_backends!(migrations_are_idempotent, migrations_go_down_and_up_again,);
