//! The live stream's feed and wake-ups: `events_after` reads committed events with their
//! session's challenge and student, in id order; a commit by another connection (another
//! process) wakes the watcher; on PostgreSQL an id that commits after a higher one is found
//! by re-reading from the cursor's position, and a dropped listening connection comes back.

use std::time::{Duration, Instant};

use sensei_core::ports::EventFeed;
use sensei_core::FeedCursor;
use sensei_diesel::live_listener::{EventWakeups, LISTENER_NAME};
use sensei_diesel::{Database, PoolOptions};

use crate::common::{at, book, created, fixture, TestDb};

/// Within this, a wake-up must come (the goal is 1 s; the test allows for a loaded machine).
const WAKE_WITHIN: Duration = Duration::from_secs(3);

async fn woken(wakeups: &mut EventWakeups, within: Duration) -> bool {
    matches!(tokio::time::timeout(within, wakeups.next()).await, Ok(true))
}

/// Lets the watcher settle (the listener connects, the counter's first value is read), then
/// forgets the wake-ups so far.
async fn settled(wakeups: &mut EventWakeups) {
    tokio::time::sleep(Duration::from_millis(600)).await;
    while woken(wakeups, Duration::from_millis(20)).await {}
}

/// A second pool on the same database: another process, as far as the watcher can tell.
fn another_process(t: &TestDb) -> Database {
    Database::connect(&t.url, PoolOptions::for_url(&t.url)).unwrap()
}

async fn events_come_in_id_order_with_challenge_and_student(t: TestDb) {
    let f = fixture(&t.db).await;
    let feed = t.db.event_feed();
    let before = feed.latest_event_id().await.unwrap();
    let session = created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    let other =
        t.db.platform_writer()
            .create_submission(f.other, f.challenge, at(2026, 1, 2, 9, 0, 0))
            .await
            .unwrap();
    created(book(&t.db, f.other, other, at(2026, 3, 1, 8, 1, 0)).await);
    let events = feed.events_after(before, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[0].id < events[1].id);
    assert_eq!(events[0].event.session_id, session.id);
    assert_eq!(events[0].student, f.student);
    assert_eq!(events[1].student, f.other);
    assert_eq!(events[0].challenge_id, f.challenge);
    assert_eq!(events[0].event.kind.as_str(), "booked");
    assert_eq!(feed.latest_event_id().await.unwrap(), events[1].id);
    // Paged by the last id; nothing after the latest.
    let first = feed.events_after(before, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    let rest = feed.events_after(first[0].id, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert!(feed
        .events_after(events[1].id, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn a_commit_by_another_process_wakes_the_watcher(t: TestDb) {
    let f = fixture(&t.db).await;
    let mut wakeups = t.db.watch_events();
    settled(&mut wakeups).await;
    let other = another_process(&t);
    let started = Instant::now();
    created(book(&other, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    assert!(
        woken(&mut wakeups, WAKE_WITHIN).await,
        "no wake-up within {WAKE_WITHIN:?}"
    );
    let latency = started.elapsed();
    assert!(latency < Duration::from_secs(1), "woken after {latency:?}");
}

crate::both_backends!(
    events_come_in_id_order_with_challenge_and_student,
    a_commit_by_another_process_wakes_the_watcher,
);

/// PostgreSQL: a transaction that took a lower id commits after a higher one was read; the
/// cursor holds the higher one and delivers both, in order, once the lower one is visible.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_id_committed_out_of_order_is_delivered_first() {
    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;
    use diesel::Connection;
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let f = fixture(&t.db).await;
    let session = created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    let feed = t.db.event_feed();
    let start = feed.latest_event_id().await.unwrap();
    let mut cursor = FeedCursor::starting_after(start);
    let sensei_diesel::DatabaseUrl::Postgres(url) = &t.url else {
        unreachable!()
    };
    let insert = format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) \
         VALUES ({}, '2026-03-01 08:05:00', 'renewed', 'pending')",
        session.id.get()
    );
    let mut slow = PgConnection::establish(url).unwrap();
    slow.batch_execute(&format!("BEGIN; {insert}")).unwrap();
    t.execute_sql(&insert); // commits a higher id first
    let seen = feed.events_after(cursor.position(), 10).await.unwrap();
    assert_eq!(seen.len(), 1, "only the committed one is visible");
    let now = Instant::now();
    assert!(cursor.offer(seen, now).is_empty(), "held behind the gap");
    slow.batch_execute("COMMIT").unwrap();
    let again = feed.events_after(cursor.position(), 10).await.unwrap();
    let ready = cursor.offer(again, now + Duration::from_millis(100));
    assert_eq!(ready.len(), 2);
    assert_eq!(ready[0].id, start + 1);
    assert_eq!(ready[1].id, start + 2);
}

/// PostgreSQL: the listening connection is killed; it reconnects and wakes (replay), and
/// later commits wake it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropped_listener_reconnects_and_wakes_again() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let f = fixture(&t.db).await;
    let mut wakeups = t.db.watch_events();
    settled(&mut wakeups).await;
    t.execute_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = '{LISTENER_NAME}' AND datname = current_database()"
    ));
    assert!(
        woken(&mut wakeups, Duration::from_secs(15)).await,
        "the reconnection wakes the reader (it replays from its position)"
    );
    settled(&mut wakeups).await;
    created(book(&t.db, f.student, f.submission, at(2026, 3, 1, 8, 0, 0)).await);
    assert!(woken(&mut wakeups, WAKE_WITHIN).await);
}
