//! Faults at the adapter: a full database, another process holding SQLite's write lock, a
//! database file deleted under the service. In each, no write is ever reported as done
//! unless it committed, reads keep working where they can, and the adapter recovers without
//! a restart once the fault is gone.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use sensei_core::ports::{AccountRepository, CreateOutcome};
use sensei_core::{Completion, Notes, RepositoryError, SessionQuery, UserId};
use sensei_diesel::testing::{execute_on_pool, TestDatabase};
use sensei_diesel::testing::{CompleteIfPending, CompleteOutcome};
use sensei_diesel::{Database, PoolOptions};

use crate::common::{fixture, new_session};

/// A migrated SQLite file with a pool of `connections` and this database timeout.
async fn sqlite(connections: u32, timeout: Duration) -> (TestDatabase, Database) {
    let handle = TestDatabase::sqlite().await.unwrap();
    let db = handle
        .connect(PoolOptions {
            max_connections: connections,
            connection_timeout: timeout,
        })
        .unwrap();
    (handle, db)
}

fn long_notes() -> Option<Notes> {
    Notes::parse(&"n".repeat(9_000)).unwrap()
}

#[tokio::test]
async fn a_completion_on_a_full_database_is_never_confirmed_and_succeeds_once_space_returns() {
    let (handle, db) = sqlite(1, Duration::from_secs(2)).await;
    let f = fixture(&db).await;
    let sessions = db.ports().sessions;
    let session = match sessions
        .create_unless_recent(
            new_session(f.student, f.submission, Utc::now()),
            Utc::now() - chrono::Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap()
    {
        CreateOutcome::Created(session) => session,
        other => panic!("{other:?}"),
    };
    // No page may be added: long notes need overflow pages, so the write must fail.
    execute_on_pool(&db, "PRAGMA max_page_count = 1")
        .await
        .unwrap();
    let completion = Completion {
        completed_at: Utc::now(),
        completed_by: None,
        notes: long_notes(),
        student_notes: None,
    };
    let refused = sessions
        .complete_if_pending(session.id, completion.clone())
        .await;
    assert!(
        matches!(refused, Err(RepositoryError::Unavailable(ref why)) if why.contains("full")),
        "{refused:?}"
    );
    // Nothing was saved: another connection still reads the session as pending.
    let reader = handle.connect(PoolOptions::default()).unwrap();
    let stored = reader
        .ports()
        .sessions
        .get(session.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.session.is_open());
    // The connection that met the full disk was dropped; the next write gets a fresh one and,
    // with space back, succeeds without a restart.
    let done = sessions
        .complete_if_pending(session.id, completion)
        .await
        .unwrap();
    assert!(matches!(done, CompleteOutcome::Completed(_)));
}

#[tokio::test]
async fn a_booking_and_a_sign_in_on_a_full_database_are_never_confirmed() {
    let (_handle, db) = sqlite(1, Duration::from_secs(2)).await;
    let f = fixture(&db).await;
    // Fill the file to its last page, then forbid growth.
    execute_on_pool(
        &db,
        "CREATE TABLE filler (x TEXT); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
         INSERT INTO filler SELECT hex(randomblob(1000)) FROM n;",
    )
    .await
    .unwrap();
    let full = || async {
        execute_on_pool(&db, "PRAGMA max_page_count = 1")
            .await
            .unwrap();
    };
    full().await;
    let booked = db
        .ports()
        .sessions
        .create_unless_recent(
            new_session(f.student, f.submission, Utc::now()),
            Utc::now() - chrono::Duration::hours(1),
            u32::MAX,
        )
        .await;
    // Either the row fit in a page with room (then it committed and is there) or the write
    // failed as unavailable; never a success without its row.
    match booked {
        Ok(CreateOutcome::Created(session)) => {
            assert!(db.ports().sessions.get(session.id).await.unwrap().is_some());
        }
        Ok(other) => panic!("{other:?}"),
        Err(error) => assert!(
            matches!(error, RepositoryError::Unavailable(_)),
            "{error:?}"
        ),
    }
    full().await;
    let started = db
        .accounts()
        .start_sign_in(
            UserId(f.student.get()),
            Utc::now() + chrono::Duration::hours(1),
        )
        .await;
    if let Ok(token) = started {
        let found = db
            .accounts()
            .signed_in_account(&token, Utc::now())
            .await
            .unwrap();
        assert!(found.is_some(), "a sign-in reported as started must exist");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_an_external_write_lock_writes_fail_within_twice_the_timeout_and_reads_go_on() {
    let timeout = Duration::from_millis(300);
    let (handle, db) = sqlite(4, timeout).await;
    let f = fixture(&db).await;
    let path = handle.sqlite_path().unwrap().to_path_buf();
    // Another process (here: another connection) takes the write lock and keeps it.
    let mut holder = SqliteConnection::establish(&path.display().to_string()).unwrap();
    holder.batch_execute("BEGIN IMMEDIATE").unwrap();

    let writers: Vec<_> = (0..8)
        .map(|n| {
            let db = db.clone();
            let (student, submission) = (f.student, f.submission);
            tokio::spawn(async move {
                let started = Instant::now();
                let outcome = db
                    .ports()
                    .sessions
                    .create_unless_recent(
                        new_session(student, submission, Utc::now()),
                        Utc::now() - chrono::Duration::hours(1),
                        u32::MAX,
                    )
                    .await;
                (n, outcome, started.elapsed())
            })
        })
        .collect();
    // Reads answer while the writers wait.
    let read_started = Instant::now();
    db.ports()
        .sessions
        .count(&SessionQuery::default())
        .await
        .unwrap();
    let read_took = read_started.elapsed();
    for writer in writers {
        let (n, outcome, took) = writer.await.unwrap();
        assert!(
            matches!(outcome, Err(RepositoryError::Unavailable(_))),
            "writer {n}: {outcome:?}"
        );
        // One and a half timeouts, with room for a slow machine; before, writers failed one
        // busy-timeout after another (5, 10, 15 ... s).
        assert!(
            took < timeout * 2 + Duration::from_millis(700),
            "writer {n} took {took:?}"
        );
    }
    assert!(
        read_took < timeout * 2,
        "a read waited {read_took:?} behind writers"
    );

    holder.batch_execute("ROLLBACK").unwrap();
    let booked = db
        .ports()
        .sessions
        .create_unless_recent(
            new_session(f.student, f.submission, Utc::now()),
            Utc::now() - chrono::Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap();
    assert!(matches!(booked, CreateOutcome::Created(_)));
}

#[tokio::test]
async fn a_deleted_database_file_fails_readiness_and_every_write() {
    let (handle, db) = sqlite(2, Duration::from_secs(1)).await;
    let f = fixture(&db).await;
    let sessions = db.ports().sessions;
    sessions.check_ready().await.unwrap();
    let path = handle.sqlite_path().unwrap().to_path_buf();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let ready = sessions.check_ready().await;
    assert!(
        matches!(ready, Err(RepositoryError::Unavailable(ref why)) if why.contains("deleted")),
        "{ready:?}"
    );
    let booked = sessions
        .create_unless_recent(
            new_session(f.student, f.submission, Utc::now()),
            Utc::now() - chrono::Duration::hours(1),
            u32::MAX,
        )
        .await;
    assert!(
        matches!(booked, Err(RepositoryError::Unavailable(_))),
        "{booked:?}"
    );
    let signed_in = db
        .accounts()
        .start_sign_in(f.student, Utc::now() + chrono::Duration::hours(1))
        .await;
    assert!(
        matches!(signed_in, Err(RepositoryError::Unavailable(_))),
        "{signed_in:?}"
    );
}
