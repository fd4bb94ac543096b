//! `sensei user erase` end to end, through the real binary on the full demo's SQLite file:
//! after it, the person's email, the notes about and for them and their cancel reason occur
//! in no column of any table; it asks for the email again unless `--yes`; it is recorded by
//! id; running it again is harmless; and the audit trail still refuses other rewrites.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use sensei_http::demo::{FRANK, FRANK_NOTES, FRANK_STUDENT_NOTES, GRACE, GRACE_REASON, INSTRUCTOR};

use crate::workflow_pages::full_demo;

fn erase(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["user", "erase"])
        .args(args)
        .args(["--database-url", &format!("sqlite://{}", db.display())])
        .env_remove("DATABASE_URL")
        .env("USER", "ops")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sensei binary starts");
    let mut input = child.stdin.take().expect("stdin");
    if let Err(error) = input.write_all(stdin.as_bytes()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    drop(input);
    child.wait_with_output().expect("sensei ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// Every `table.column` (of every table the file has) whose text contains `needle`.
fn occurrences(db: &Path, needle: &str) -> Vec<String> {
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name \
         FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
    )
    .load(&mut conn)
    .unwrap();
    assert!(columns.len() > 40, "every table's columns were listed");
    let quoted = needle.replace('\'', "''");
    columns
        .into_iter()
        .filter(|c| {
            count(
                &mut conn,
                &format!(
                    "SELECT COUNT(*) AS n FROM \"{}\" WHERE instr(CAST(\"{}\" AS TEXT), '{quoted}') > 0",
                    c.table_name, c.column_name
                ),
            ) > 0
        })
        .map(|c| format!("{}.{}", c.table_name, c.column_name))
        .collect()
}

#[tokio::test]
async fn erase_leaves_no_trace_of_the_person_and_the_trail_stays_append_only() {
    let app = full_demo().await;
    let db = app.sqlite_path().to_owned();
    let frank = app.user_id(FRANK).await.get();
    let grace = app.user_id(GRACE).await.get();
    let people = [FRANK, FRANK_NOTES, FRANK_STUDENT_NOTES, GRACE, GRACE_REASON];
    for needle in people {
        assert!(
            !occurrences(&db, needle).is_empty(),
            "{needle} is stored before"
        );
    }

    // Without --yes, a wrong confirmation erases nothing.
    let refused = erase(&db, &[FRANK], "someone-else@example.com\n");
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("Type the email again"),
        "{}",
        text(&refused.stderr)
    );
    assert!(text(&refused.stderr).contains("nothing was erased"));
    assert!(!occurrences(&db, FRANK_NOTES).is_empty());

    let confirmed = erase(&db, &[FRANK], &format!("{FRANK}\n"));
    assert!(confirmed.status.success(), "{}", text(&confirmed.stderr));
    assert!(text(&confirmed.stdout).contains(&format!("erased-{frank}@invalid")));
    let scripted = erase(&db, &[GRACE, "--yes"], "");
    assert!(scripted.status.success(), "{}", text(&scripted.stderr));

    for needle in people {
        assert_eq!(
            occurrences(&db, needle),
            Vec::<String>::new(),
            "{needle} is gone"
        );
    }
    // Others keep theirs.
    assert!(!occurrences(&db, INSTRUCTOR).is_empty());

    // Again: nothing to erase, and success.
    let again = erase(&db, &[FRANK, "--yes"], "");
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("nothing to erase"));

    // The tombstone is never changed again: nobody brings the account back.
    let tombstone = format!("erased-{frank}@invalid");
    let enable = Command::new(env!("CARGO_BIN_EXE_sensei"))
        .args(["user", "enable", &tombstone])
        .args(["--database-url", &format!("sqlite://{}", db.display())])
        .env_remove("DATABASE_URL")
        .output()
        .expect("the sensei binary runs");
    assert_eq!(enable.status.code(), Some(1), "{}", text(&enable.stderr));
    assert!(
        text(&enable.stderr).contains("is an erased account"),
        "{}",
        text(&enable.stderr)
    );

    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM admin_audit WHERE kind = 'erased' \
                 AND subject_user_id IN ({frank}, {grace}) AND actor_name = 'cli:ops'"
            )
        ),
        2
    );
    // The sessions stay, with their numbers; the trail refuses any other rewrite.
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM scheduled_sessions WHERE user_id IN ({frank}, {grace})"
            )
        ),
        2
    );
    for sql in [
        "UPDATE scheduled_session_events SET detail = 'rewritten'",
        "UPDATE scheduled_session_events SET detail = '[erased]'",
        "DELETE FROM scheduled_session_events",
        "DELETE FROM admin_audit",
        "UPDATE erasures SET in_progress = 1",
    ] {
        assert!(conn.batch_execute(sql).is_err(), "`{sql}` must be refused");
    }

    // The erased person cannot sign in, and the pages show the tombstone.
    let page = app.signed_in(INSTRUCTOR).await.get("/admin/history").await;
    page.assert_lacks(FRANK).assert_lacks(GRACE_REASON);
}
