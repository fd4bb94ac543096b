//! Fair webhook delivery with the real binary, on loopback: eight receivers that answer 500
//! only after 3.5 s (they answer, so nothing pauses them) and one healthy receiver, all
//! receiving every event. Every event reaches the healthy receiver within 5 s, the very
//! first one included (when all nine endpoints are new and the failing ones were leased
//! first), while the failing receivers keep being tried.

use std::time::Duration;

use sensei_core::ScheduledSessionId;

use crate::webhooks::{add_endpoint, database_with_a_booking, Receiver, ServeProcess};

/// The failing receivers' delay before their 500: longer than the slow mark (1 s), shorter
/// than the attempt timeout, so every failing attempt runs its course.
const FAILING_DELAY: Duration = Duration::from_millis(3_500);
const ATTEMPT_TIMEOUT_MS: u32 = 5_000;
/// The longest a healthy receiver's delivery may come after its event.
const ON_TIME: chrono::Duration = chrono::Duration::seconds(5);
/// Events written, one a second: the claim, then renewals.
const EVENTS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_healthy_receiver_stays_on_time_while_eight_others_fail_slowly() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fairness.sqlite3").display());
    let (database, service, sensei, _) = database_with_a_booking(&url).await;
    let mut failing = Vec::new();
    for _ in 0..8 {
        let receiver = Receiver::start(&[500; 64], FAILING_DELAY).await;
        add_endpoint(&database, &receiver.url()).await;
        failing.push(receiver);
    }
    // Added last: among deliveries due at the same moment it is leased last, so the very
    // first event finds all eight fast slots taken by the failing receivers.
    let healthy = Receiver::start(&[], Duration::ZERO).await;
    add_endpoint(&database, &healthy.url()).await;
    let _server = ServeProcess::start_with(&url, ATTEMPT_TIMEOUT_MS, 1_000);

    let session = ScheduledSessionId(1);
    service.claim(sensei, session).await.unwrap();
    for _ in 1..EVENTS {
        tokio::time::sleep(Duration::from_secs(1)).await;
        service.renew_claim(sensei, session).await.unwrap();
    }
    let received = healthy.wait_for(EVENTS, Duration::from_secs(10)).await;

    let mut late = Vec::new();
    for delivery in &received {
        let json = delivery.json();
        let occurred_at: chrono::DateTime<chrono::Utc> =
            json["occurred_at"].as_str().unwrap().parse().unwrap();
        let delay = delivery.at - occurred_at;
        if delay > ON_TIME {
            late.push((json["type"].clone(), delay.num_milliseconds()));
        }
    }
    assert!(
        late.is_empty(),
        "late to the healthy receiver (ms): {late:?}"
    );
    let mut events: Vec<&str> = received.iter().map(|d| d.event_header.as_str()).collect();
    events.sort_unstable();
    events.dedup();
    assert_eq!(events.len(), EVENTS, "each event once");
    for (n, receiver) in failing.iter().enumerate() {
        assert!(
            !receiver.received().is_empty(),
            "failing receiver {n} was never tried: the test would prove nothing"
        );
    }
}
