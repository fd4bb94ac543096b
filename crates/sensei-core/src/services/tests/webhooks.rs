//! The webhook use cases: who may manage endpoints, what is refused before the store is
//! asked, and how an attempt's result becomes the next step.

use std::sync::Arc;

use chrono::Duration;

use super::{now, INSTRUCTOR, STUDENT};
use crate::domain::{
    Actor, AddressPolicy, AttemptResult, EventFilter, EventKind, LeaseRoom, NextStep, RetryPolicy,
    Role, ScheduledSessionId, SessionEvent, SessionState, WebhookEndpoint, WebhookEndpointId,
    WebhookInputError, WebhookSecret, WebhookUrl,
};
use crate::error::WebhookError;
use crate::ports::{LeasedDelivery, MockClock, MockJitter, MockWebhookStore};
use crate::services::{WebhookManager, WebhookService};

fn service(store: MockWebhookStore, jitter: f64) -> WebhookService {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let mut draws = MockJitter::new();
    draws.expect_unit().returning(move || jitter);
    WebhookService::new(
        Arc::new(store),
        Arc::new(clock),
        Arc::new(draws),
        RetryPolicy::default(),
    )
}

fn secret() -> WebhookSecret {
    WebhookSecret::from_bytes(&[7; 32])
}

fn leased(attempts: u32, created_ago: Duration) -> LeasedDelivery {
    LeasedDelivery {
        delivery_id: 1,
        endpoint_id: WebhookEndpointId(2),
        url: WebhookUrl::parse("http://127.0.0.1:9/hook").unwrap(),
        secret: secret(),
        event_id: 40,
        event: SessionEvent {
            session_id: ScheduledSessionId(5),
            occurred_at: now(),
            actor: Some(STUDENT),
            actor_email: None,
            kind: EventKind::Booked,
            from_state: None,
            to_state: SessionState::Pending,
            detail: None,
        },
        session: None,
        attempts,
        created_at: now() - created_ago,
    }
}

#[tokio::test]
async fn students_and_plain_instructors_may_not_manage_webhooks_and_the_store_is_not_asked() {
    let service = service(MockWebhookStore::new(), 0.0);
    for student in [
        WebhookManager::User(Actor::student(STUDENT)),
        WebhookManager::User(Actor::instructor(INSTRUCTOR)),
    ] {
        forbidden(&service, student).await;
    }
}

async fn forbidden(service: &WebhookService, student: WebhookManager) {
    assert_eq!(
        service
            .add_endpoint(student, "https://example.com", "", secret())
            .await,
        Err(WebhookError::Forbidden)
    );
    assert_eq!(
        service.endpoints(student).await,
        Err(WebhookError::Forbidden)
    );
    assert_eq!(
        service.remove_endpoint(student, WebhookEndpointId(1)).await,
        Err(WebhookError::Forbidden)
    );
    assert_eq!(
        service.delivery_log(student, 10).await,
        Err(WebhookError::Forbidden)
    );
}

#[tokio::test]
async fn a_bad_url_or_event_name_is_refused_before_anything_is_stored() {
    let service = service(MockWebhookStore::new(), 0.0);
    let error = service
        .add_endpoint(WebhookManager::Operator, "ftp://x", "", secret())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"ftp://x\" is not an http:// or https:// URL with a host; nothing was saved"
    );
    let error = service
        .add_endpoint(
            WebhookManager::Operator,
            "https://example.com",
            "booked,paid",
            secret(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error,
        WebhookError::Invalid(WebhookInputError::UnknownEvent("paid".into()))
    );
}

#[tokio::test]
async fn an_admin_adds_an_endpoint_and_gets_its_secret_back_once() {
    let mut store = MockWebhookStore::new();
    store
        .expect_add_endpoint()
        .withf(|new, by| {
            new.url.as_str() == "https://example.com/h"
                && new.events == EventFilter::Only(vec![EventKind::Booked])
                && new.created_at == now()
                && *by == crate::domain::ChangeActor::User(INSTRUCTOR)
        })
        .times(1)
        .returning(|new, _| {
            Ok(WebhookEndpoint {
                id: WebhookEndpointId(3),
                url: new.url,
                events: new.events,
                created_at: new.created_at,
            })
        });
    let created = service(store, 0.0)
        .add_endpoint(
            WebhookManager::User(Actor {
                user_id: INSTRUCTOR,
                role: Role::Admin,
            }),
            "https://example.com/h",
            "booked",
            secret(),
        )
        .await
        .unwrap();
    assert_eq!(created.endpoint.id, WebhookEndpointId(3));
    assert_eq!(created.secret, secret());
}

#[tokio::test]
async fn removing_an_endpoint_that_is_not_there_is_not_found() {
    let mut store = MockWebhookStore::new();
    store
        .expect_remove_endpoint()
        .withf(|_, by, _| *by == crate::domain::ChangeActor::Operator("cli".into()))
        .returning(|_, _, _| Ok(false));
    let error = service(store, 0.0)
        .remove_endpoint(WebhookManager::Operator, WebhookEndpointId(9))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "webhook endpoint 9 does not exist");
}

#[tokio::test]
async fn leased_deliveries_come_with_their_payload_and_a_lease_from_now() {
    let mut store = MockWebhookStore::new();
    store
        .expect_lease_due()
        .withf(|request| {
            request.owner == "w1"
                && request.now == now()
                && request.until == now() + Duration::seconds(30)
                && request.room == LeaseRoom::new(8, 2)
        })
        .returning(|_| Ok(vec![leased(0, Duration::zero())]));
    let due = service(store, 0.0)
        .lease_due("w1", LeaseRoom::new(8, 2), Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].payload.id, 40);
    assert_eq!(due[0].payload.event_type, "session.booked");
}

#[test]
fn a_2xx_is_delivered_and_a_failure_is_retried_with_backoff_and_jitter() {
    let service = service(MockWebhookStore::new(), 0.5);
    let ok = AttemptResult {
        status: Some(204),
        latency_ms: 4,
        error: None,
    };
    let failed = AttemptResult {
        status: Some(500),
        ..ok.clone()
    };
    assert_eq!(
        service.next_step(&leased(0, Duration::zero()), &ok),
        NextStep::Delivered
    );
    // Third failure: 40 s, +10 % (half of the 20 % jitter).
    assert_eq!(
        service.next_step(&leased(2, Duration::minutes(1)), &failed),
        NextStep::RetryAt(now() + Duration::seconds(44))
    );
    assert_eq!(
        service.next_step(&leased(30, Duration::hours(25)), &failed),
        NextStep::GaveUp
    );
}

#[test]
fn only_a_receiver_that_did_not_answer_pauses_its_endpoint_until_the_retry() {
    let service = service(MockWebhookStore::new(), 0.0);
    let retry = NextStep::RetryAt(now() + Duration::seconds(10));
    let silent = AttemptResult {
        status: None,
        latency_ms: 1,
        error: Some("could not connect".into()),
    };
    let answered = AttemptResult {
        status: Some(503),
        ..silent.clone()
    };
    assert_eq!(
        service.pause_until(&silent, retry),
        Some(now() + Duration::seconds(10))
    );
    assert_eq!(service.pause_until(&answered, retry), None);
    assert_eq!(service.pause_until(&silent, NextStep::GaveUp), None);
}

#[tokio::test]
async fn a_lease_with_no_room_asks_the_store_nothing() {
    // No expectation set: a call to the store would fail the test.
    let due = service(MockWebhookStore::new(), 0.0)
        .lease_due("w1", LeaseRoom::new(0, 2), Duration::seconds(30))
        .await
        .unwrap();
    assert!(due.is_empty());
}

fn refused_address(error: WebhookError) -> String {
    match error {
        WebhookError::Invalid(WebhookInputError::AddressNotAllowed { address, .. }) => {
            address.to_string()
        }
        other => panic!("expected an address refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn urls_pointing_at_private_or_special_addresses_are_refused_before_anything_is_stored() {
    // No store expectation: storing would fail the test.
    let service = service(MockWebhookStore::new(), 0.0);
    for (url, address) in [
        ("http://127.0.0.1:8080/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[::1]:9/", "::1"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://10.0.0.5/", "10.0.0.5"),
        ("http://100.64.1.1/", "100.64.1.1"),
    ] {
        let error = service
            .add_endpoint(
                WebhookManager::Operator,
                url,
                "",
                WebhookSecret::from_bytes(&[1; 32]),
            )
            .await
            .unwrap_err();
        assert_eq!(refused_address(error), address, "{url}");
    }
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_and_an_allowed_range_admits_it() {
    let mut resolver = crate::ports::MockHostResolver::new();
    resolver
        .expect_resolve()
        .withf(|name, port| name == "hooks.internal.test" && *port == 443)
        .returning(|_, _| {
            vec![
                "93.184.216.34".parse().unwrap(),
                "127.0.0.1".parse().unwrap(),
            ]
        });
    let resolver: Arc<dyn crate::ports::HostResolver> = Arc::new(resolver);
    let strict = service(MockWebhookStore::new(), 0.0)
        .with_address_check(AddressPolicy::default(), Some(resolver.clone()));
    let error = strict
        .add_endpoint(
            WebhookManager::Operator,
            "https://user:pw@hooks.internal.test/x",
            "",
            WebhookSecret::from_bytes(&[1; 32]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "https://***@hooks.internal.test/x points to 127.0.0.1, which is not a public address: \
         webhooks go only to public addresses unless the operator allows the range \
         (--webhook-allow CIDR); nothing was saved"
    );

    let mut store = MockWebhookStore::new();
    store.expect_add_endpoint().times(1).returning(|new, _| {
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(1),
            url: new.url,
            events: new.events,
            created_at: now(),
        })
    });
    let allowing = service(store, 0.0).with_address_check(
        AddressPolicy::allowing(vec!["127.0.0.0/8".parse().unwrap()]),
        Some(resolver),
    );
    allowing
        .add_endpoint(
            WebhookManager::Operator,
            "https://hooks.internal.test/x",
            "",
            WebhookSecret::from_bytes(&[1; 32]),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_name_that_does_not_resolve_yet_is_accepted_for_the_connect_time_check() {
    let mut resolver = crate::ports::MockHostResolver::new();
    resolver.expect_resolve().returning(|_, _| Vec::new());
    let mut store = MockWebhookStore::new();
    store.expect_add_endpoint().times(1).returning(|new, _| {
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(1),
            url: new.url,
            events: new.events,
            created_at: now(),
        })
    });
    service(store, 0.0)
        .with_address_check(AddressPolicy::default(), Some(Arc::new(resolver)))
        .add_endpoint(
            WebhookManager::Operator,
            "https://not-yet.example.test/x",
            "",
            WebhookSecret::from_bytes(&[1; 32]),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn attempts_are_recorded_in_one_write_and_a_failed_write_is_reported() {
    use crate::domain::{NextStep, WebhookEndpointId};
    use crate::error::RepositoryError;
    use crate::ports::RecordedAttempt;
    let attempt = RecordedAttempt {
        delivery_id: 9,
        endpoint_id: WebhookEndpointId(1),
        pause_endpoint_until: None,
        owner: "worker-1".to_owned(),
        attempted_at: now(),
        status: Some(204),
        latency_ms: 12,
        error: None,
        next: NextStep::Delivered,
    };
    let mut store = MockWebhookStore::new();
    store
        .expect_record_attempts()
        .withf(|attempts| attempts.len() == 1 && attempts[0].delivery_id == 9)
        .times(1)
        .returning(|_| {
            Err(RepositoryError::Unavailable(
                "database is locked".to_owned(),
            ))
        });
    let service = service(store, 0.5);
    assert!(service.record(vec![attempt]).await.is_err());
    // Nothing to record asks the store nothing.
    assert_eq!(service.record(Vec::new()).await, Ok(()));
}
