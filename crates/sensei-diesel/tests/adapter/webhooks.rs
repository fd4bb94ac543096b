//! Webhooks at the adapter, on SQLite and PostgreSQL: the outbox is filled by the event's own
//! transaction (a rolled-back change leaves no delivery), only for endpoints that existed and
//! match, leases exclude a second worker until they lapse, and recorded attempts move a
//! delivery on and show in the log and the outbox depth.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, Utc};
use sensei_core::ports::{LeaseRequest, RecordedAttempt, SystemClock, WebhookStore};
use sensei_core::services::{WebhookManager, WebhookService};
use sensei_core::*;

use crate::common::{book, created, fixture, TestDb};

struct NoJitter;
impl sensei_core::ports::Jitter for NoJitter {
    fn unit(&self) -> f64 {
        0.0
    }
}

/// The service over `t`, endpoints on loopback allowed (the tests' URLs; nothing connects).
fn service(t: &TestDb) -> WebhookService {
    WebhookService::new(
        Arc::new(t.db.webhooks()),
        Arc::new(SystemClock),
        Arc::new(NoJitter),
        RetryPolicy::default(),
    )
    .with_address_check(
        AddressPolicy::allowing(vec!["127.0.0.0/8".parse().unwrap()]),
        None,
    )
}

async fn add(t: &TestDb, url: &str, events: &str) -> WebhookEndpointId {
    service(t)
        .add_endpoint(
            WebhookManager::Operator,
            url,
            events,
            WebhookSecret::from_bytes(&[1; 32]),
        )
        .await
        .unwrap()
        .endpoint
        .id
}

fn deliveries(t: &TestDb) -> i64 {
    t.count_sql("SELECT COUNT(*) AS n FROM webhook_deliveries")
}

/// A lease of up to `limit`, as many per endpoint (no share limit in effect).
fn lease(owner: &str, limit: u32, at: chrono::DateTime<Utc>) -> LeaseRequest {
    fair_lease(owner, LeaseRoom::new(limit, limit), at)
}

fn fair_lease(owner: &str, room: LeaseRoom, at: chrono::DateTime<Utc>) -> LeaseRequest {
    LeaseRequest {
        owner: owner.to_owned(),
        now: at,
        until: at + Duration::seconds(30),
        room,
    }
}

/// Appends a `renewed` event of `session` at each of `times` (stored text).
fn events_at(t: &TestDb, session: ScheduledSessionId, times: &[String]) {
    let values: Vec<String> = times
        .iter()
        .map(|at| format!("({session}, '{at}', 'renewed', 'claimed')"))
        .collect();
    t.execute_sql(&format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) VALUES {};",
        values.join(", ")
    ));
}

async fn events_fill_the_outbox_of_matching_endpoints_from_their_creation_on(t: TestDb) {
    let f = fixture(&t.db).await;
    let before = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    assert_eq!(deliveries(&t), 0, "no endpoint, no delivery");
    let all = add(&t, "http://127.0.0.1:9/all", "").await;
    let claims = add(&t, "http://127.0.0.1:9/claims", "claimed").await;
    let submission =
        t.db.platform_writer()
            .create_submission(f.student, f.challenge, Utc::now() - Duration::days(1))
            .await
            .unwrap();
    created(book(&t.db, f.student, submission, Utc::now()).await);
    assert_eq!(deliveries(&t), 1, "the booking goes to `all` only");
    let sensei = SenseiService::new(t.db.ports(), Policy::default());
    sensei
        .claim(Actor::instructor(f.instructor), before.id)
        .await
        .unwrap();
    assert_eq!(deliveries(&t), 3, "the claim goes to both");

    let due = service(&t)
        .lease_due("w", LeaseRoom::new(10, 10), Duration::seconds(30))
        .await
        .unwrap();
    let mut got: Vec<(WebhookEndpointId, &str)> = due
        .iter()
        .map(|d| (d.leased.endpoint_id, d.payload.event_type.as_str()))
        .collect();
    got.sort();
    let mut expected = vec![
        (all, "session.booked"),
        (all, "session.claimed"),
        (claims, "session.claimed"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    let claim = due.iter().find(|d| d.leased.endpoint_id == claims).unwrap();
    assert_eq!(claim.payload.session.id, before.id.get());
    assert_eq!(claim.payload.session.previous_state, Some("pending"));
    assert_eq!(claim.payload.session.student_id, Some(f.student.get()));
    assert_eq!(claim.leased.secret, WebhookSecret::from_bytes(&[1; 32]));

    let listed = service(&t)
        .endpoints(WebhookManager::Operator)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[1].events,
        EventFilter::Only(vec![EventKind::Claimed])
    );
    service(&t)
        .remove_endpoint(WebhookManager::Operator, all)
        .await
        .unwrap();
    assert_eq!(deliveries(&t), 1, "its deliveries went with it");
}

async fn a_rolled_back_event_leaves_no_delivery_and_any_writer_fills_the_outbox(t: TestDb) {
    let f = fixture(&t.db).await;
    let session = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    add(&t, "http://127.0.0.1:9/all", "").await;
    let insert = format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) \
         VALUES ({}, '2026-11-28 10:00:00.000000', 'completed', 'completed');",
        session.id
    );
    t.execute_sql(&format!("BEGIN; {insert} ROLLBACK;"));
    assert_eq!(deliveries(&t), 0, "rolled back with the event");
    t.execute_sql(&insert);
    assert_eq!(
        deliveries(&t),
        1,
        "a platform's own insert is delivered too"
    );
}

async fn a_lease_excludes_other_workers_until_it_lapses(t: TestDb) {
    let f = fixture(&t.db).await;
    add(&t, "http://127.0.0.1:9/all", "").await;
    created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let store = t.db.webhooks();
    let now = Utc::now();
    assert_eq!(store.lease_due(lease("a", 5, now)).await.unwrap().len(), 1);
    assert!(store
        .lease_due(lease("b", 5, now))
        .await
        .unwrap()
        .is_empty());
    let later = now + Duration::seconds(31);
    let taken = store.lease_due(lease("b", 5, later)).await.unwrap();
    assert_eq!(taken.len(), 1, "a lapsed lease is taken over");

    // "a" comes back late: its attempt is logged but changes nothing.
    let late = RecordedAttempt {
        delivery_id: taken[0].delivery_id,
        endpoint_id: taken[0].endpoint_id,
        pause_endpoint_until: None,
        owner: "a".into(),
        attempted_at: now,
        status: Some(200),
        latency_ms: 5,
        error: None,
        next: NextStep::Delivered,
    };
    store.record_attempts(vec![late]).await.unwrap();
    assert_eq!(store.outbox_stats().await.unwrap().undelivered, 1);
}

async fn recorded_attempts_move_a_delivery_on_and_show_in_the_log(t: TestDb) {
    let f = fixture(&t.db).await;
    let endpoint = add(&t, "http://127.0.0.1:9/all", "").await;
    created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let store = t.db.webhooks();
    let now = Utc::now();
    let stats = store.outbox_stats().await.unwrap();
    assert_eq!(stats.undelivered, 1);
    assert!(stats.oldest_undelivered.is_some());
    let leased = store.lease_due(lease("a", 5, now)).await.unwrap();
    let retry_at = now + Duration::seconds(10);
    let attempt = |next, status| RecordedAttempt {
        delivery_id: leased[0].delivery_id,
        endpoint_id: endpoint,
        pause_endpoint_until: None,
        owner: "a".into(),
        attempted_at: now,
        status,
        latency_ms: 12,
        error: Some("the receiver answered 500".into()),
        next,
    };
    store
        .record_attempts(vec![attempt(NextStep::RetryAt(retry_at), Some(500))])
        .await
        .unwrap();
    assert!(
        store
            .lease_due(lease("a", 5, now))
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let again = store.lease_due(lease("a", 5, retry_at)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    store
        .record_attempts(vec![attempt(NextStep::Delivered, Some(200))])
        .await
        .unwrap();
    assert_eq!(store.outbox_stats().await.unwrap(), OutboxStats::default());
    assert!(store
        .lease_due(lease("a", 5, retry_at + Duration::hours(2)))
        .await
        .unwrap()
        .is_empty());
    let log = store.recent_attempts(10).await.unwrap();
    let outcomes: Vec<&str> = log.iter().map(|entry| entry.outcome.as_str()).collect();
    assert_eq!(outcomes, ["delivered", "retry"], "newest first");
    assert_eq!(log[1].status, Some(500));
    assert_eq!(log[1].endpoint_id, endpoint);
    assert_eq!(log[1].event_kind, Some(EventKind::Booked));
}

async fn concurrent_workers_never_lease_the_same_delivery(t: TestDb) {
    let f = fixture(&t.db).await;
    add(&t, "http://127.0.0.1:9/all", "").await;
    let session = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let values: Vec<String> = (0..40)
        .map(|_| {
            format!(
                "({}, '2026-11-28 10:00:00.000000', 'renewed', 'claimed')",
                session.id
            )
        })
        .collect();
    t.execute_sql(&format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) VALUES {};",
        values.join(", ")
    ));
    let now = Utc::now();
    let workers: Vec<_> = (0..4)
        .map(|n| {
            let store = t.db.webhooks();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for _ in 0..8 {
                    let leased = store
                        .lease_due(lease(&format!("w{n}"), 3, now))
                        .await
                        .unwrap();
                    mine.extend(leased.into_iter().map(|d| d.delivery_id));
                }
                mine
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for worker in workers {
        for id in worker.await.unwrap() {
            assert!(seen.insert(id), "delivery {id} leased twice");
        }
    }
    assert_eq!(seen.len(), 41);
}

async fn a_silent_receiver_pauses_its_endpoint_until_the_retry(t: TestDb) {
    let f = fixture(&t.db).await;
    let dead = add(&t, "http://127.0.0.1:9/dead", "").await;
    let session = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let alive = add(&t, "http://127.0.0.1:9/alive", "").await;
    t.execute_sql(&format!(
        "INSERT INTO scheduled_session_events (session_id, occurred_at, kind, to_state) VALUES \
         ({0}, '2026-11-28 10:00:00.000000', 'renewed', 'claimed'), \
         ({0}, '2026-11-28 10:00:00.000000', 'renewed', 'claimed');",
        session.id
    ));
    let store = t.db.webhooks();
    let now = Utc::now();
    let first = store.lease_due(lease("a", 1, now)).await.unwrap();
    assert_eq!(first[0].endpoint_id, dead, "the booking, oldest due");
    let retry_at = now + Duration::seconds(10);
    store
        .record_attempts(vec![RecordedAttempt {
            delivery_id: first[0].delivery_id,
            endpoint_id: dead,
            pause_endpoint_until: Some(retry_at),
            owner: "a".into(),
            attempted_at: now,
            status: None,
            latency_ms: 1,
            error: Some("could not connect".into()),
            next: NextStep::RetryAt(retry_at),
        }])
        .await
        .unwrap();
    let meanwhile = store.lease_due(lease("a", 10, now)).await.unwrap();
    assert!(
        meanwhile.iter().all(|d| d.endpoint_id == alive) && meanwhile.len() == 2,
        "only the live endpoint's deliveries: {meanwhile:?}"
    );
    let after = store
        .lease_due(lease("b", 10, retry_at + Duration::seconds(31)))
        .await
        .unwrap();
    assert_eq!(
        after.iter().filter(|d| d.endpoint_id == dead).count(),
        3,
        "after the pause, all of the dead one's are due"
    );
}

async fn a_lease_takes_every_endpoint_s_first_delivery_before_anyone_s_second(t: TestDb) {
    let f = fixture(&t.db).await;
    let session = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let busy = add(&t, "http://127.0.0.1:9/busy", "").await;
    // A backlog of ten, older than anything else.
    let backlog: Vec<String> = (0..10)
        .map(|n| format!("2020-01-01 10:00:{n:02}.000000"))
        .collect();
    events_at(&t, session.id, &backlog);
    let quiet = add(&t, "http://127.0.0.1:9/quiet", "").await;
    let other = add(&t, "http://127.0.0.1:9/other", "").await;
    events_at(&t, session.id, &["2020-01-02 10:00:00.000000".to_owned()]);
    let store = t.db.webhooks();
    let now = Utc::now();

    let first = store
        .lease_due(fair_lease("a", LeaseRoom::new(3, 2), now))
        .await
        .unwrap();
    let mut endpoints: Vec<WebhookEndpointId> = first.iter().map(|d| d.endpoint_id).collect();
    endpoints.sort();
    assert_eq!(
        endpoints,
        [busy, quiet, other],
        "one each, not three of the backlog"
    );
    let oldest = first.iter().find(|d| d.endpoint_id == busy).unwrap();
    assert_eq!(
        oldest.event.occurred_at.to_rfc3339(),
        "2020-01-01T10:00:00+00:00",
        "the backlog's oldest first"
    );

    let second = store
        .lease_due(fair_lease("b", LeaseRoom::new(8, 2), now))
        .await
        .unwrap();
    assert_eq!(second.len(), 2, "the backlog's share: {second:?}");
    assert!(second.iter().all(|d| d.endpoint_id == busy));
}

async fn an_endpoint_holding_its_share_gets_no_more_and_one_holding_part_of_it_the_rest(t: TestDb) {
    let f = fixture(&t.db).await;
    let session = created(book(&t.db, f.student, f.submission, Utc::now()).await);
    let busy = add(&t, "http://127.0.0.1:9/busy", "").await;
    let idle = add(&t, "http://127.0.0.1:9/idle", "").await;
    let times: Vec<String> = (0..5)
        .map(|n| format!("2020-01-01 10:00:{n:02}.000000"))
        .collect();
    events_at(&t, session.id, &times);
    let store = t.db.webhooks();
    let now = Utc::now();
    let full = LeaseRoom {
        limit: 8,
        per_endpoint: 2,
        in_flight: vec![(busy, 2)],
    };
    let leased = store.lease_due(fair_lease("a", full, now)).await.unwrap();
    assert_eq!(leased.len(), 2);
    assert!(leased.iter().all(|d| d.endpoint_id == idle), "{leased:?}");
    let part = LeaseRoom {
        limit: 8,
        per_endpoint: 2,
        in_flight: vec![(busy, 1), (idle, 2)],
    };
    let leased = store.lease_due(fair_lease("a", part, now)).await.unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].endpoint_id, busy);
    let slow = LeaseRoom {
        limit: 8,
        per_endpoint: 2,
        in_flight: vec![(busy, 3), (idle, 2)],
    };
    assert!(store
        .lease_due(fair_lease("a", slow, now))
        .await
        .unwrap()
        .is_empty());
}

crate::both_backends!(
    a_lease_takes_every_endpoint_s_first_delivery_before_anyone_s_second,
    an_endpoint_holding_its_share_gets_no_more_and_one_holding_part_of_it_the_rest,
    a_silent_receiver_pauses_its_endpoint_until_the_retry,
    events_fill_the_outbox_of_matching_endpoints_from_their_creation_on,
    a_rolled_back_event_leaves_no_delivery_and_any_writer_fills_the_outbox,
    a_lease_excludes_other_workers_until_it_lapses,
    recorded_attempts_move_a_delivery_on_and_show_in_the_log,
    concurrent_workers_never_lease_the_same_delivery,
);
