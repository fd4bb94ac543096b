//! Handlers over mocked ports, with no database: every handler is parse, one service call,
//! render, so its behaviour is pinned by what the ports return.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use mockall::predicate::eq;
use poem::http::StatusCode;
use poem::test::TestClient;
use sensei_core::ports::{
    AccountRepository, ComposedReads, DashboardRead, MockAccountRepository, MockAnatomyRepository,
    MockBookingReads, MockClock, MockDigiTrainerRepository, MockGoalRepository,
    MockPasswordVerifier, MockScheduledSessionRepository, MockSubmissionRepository,
    ScheduledSessionRepository,
};
use sensei_core::{
    Account, Page, Ports, RepositoryError, Role, SignInToken, StoredAccount, UserId,
};

use crate::config::AppConfig;
use crate::startup::build_router;
use crate::state::AppState;

/// One mock per port; the clock reads a fixed instant.
#[derive(Default)]
struct Mocks {
    sessions: MockScheduledSessionRepository,
    accounts: MockAccountRepository,
    passwords: MockPasswordVerifier,
}

impl Mocks {
    fn client(self) -> TestClient<poem::endpoint::BoxEndpoint<'static, poem::Response>> {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .return_const(Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap());
        let sessions: Arc<dyn ScheduledSessionRepository> = Arc::new(self.sessions);
        let accounts: Arc<dyn AccountRepository> = Arc::new(self.accounts);
        let ports = Ports {
            signed_in: Arc::new(ComposedReads::new(accounts.clone(), sessions.clone())),
            sessions,
            submissions: Arc::new(MockSubmissionRepository::new()),
            goals: Arc::new(MockGoalRepository::new()),
            booking: Arc::new(MockBookingReads::new()),
            digi_trainer: Arc::new(MockDigiTrainerRepository::new()),
            anatomy: Arc::new(MockAnatomyRepository::new()),
            accounts,
            passwords: Arc::new(self.passwords),
            clock: Arc::new(clock),
        };
        let state = AppState::over_ports(ports, &AppConfig::for_tests().unwrap()).unwrap();
        TestClient::new(build_router(state))
    }
}

fn instructor() -> Account {
    Account {
        id: UserId(1),
        email: "sensei@example.com".to_owned(),
        role: Role::Instructor,
    }
}

/// Signs in through the API against mocked accounts and returns the cookie header.
async fn signed_in_cookie(
    client: &TestClient<poem::endpoint::BoxEndpoint<'static, poem::Response>>,
) -> String {
    let response = client
        .post("/api/v1/session")
        .content_type("application/json")
        .body(r#"{"email": "Sensei@Example.com", "password": "sensei-demo"}"#)
        .send()
        .await;
    response.assert_status_is_ok();
    let cookie = response
        .0
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("sensei_session="), "{cookie}");
    cookie
}

fn accounts_that_know_the_instructor(mocks: &mut Mocks) {
    mocks
        .accounts
        .expect_find_by_email()
        .with(eq("sensei@example.com"))
        .returning(|_| {
            Ok(Some(StoredAccount {
                account: instructor(),
                password_hash: "$argon2id$stub".to_owned(),
                disabled: false,
            }))
        });
    mocks.passwords.expect_verify().returning(|_, _| Ok(true));
    mocks
        .accounts
        .expect_start_sign_in()
        .returning(|_, _| Ok(SignInToken::new("token-1")));
    mocks
        .accounts
        .expect_signed_in_account()
        .withf(|token, _| token.as_str() == "token-1")
        .returning(|_, _| Ok(Some(instructor())));
}

#[tokio::test]
async fn the_dashboard_renders_from_the_ports_alone() {
    let mut mocks = Mocks::default();
    accounts_that_know_the_instructor(&mut mocks);
    mocks.sessions.expect_dashboard().returning(|_, _, _, _| {
        Ok(DashboardRead {
            open: 0,
            completed: 0,
            mine: 0,
            claimed: 0,
            page: Page {
                items: Vec::new(),
                next: None,
            },
        })
    });
    let client = mocks.client();
    let cookie = signed_in_cookie(&client).await;
    let response = client.get("/admin").header("cookie", cookie).send().await;
    response.assert_status_is_ok();
    let page = response.0.into_body().into_string().await.unwrap();
    assert!(page.contains("Pending scheduled sessions"), "{page}");
}

#[tokio::test]
async fn a_wrong_password_is_401_on_the_api_and_starts_no_sign_in() {
    let mut mocks = Mocks::default();
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Ok(None));
    mocks.passwords.expect_verify().returning(|_, _| Ok(false));
    let client = mocks.client();
    let response = client
        .post("/api/v1/session")
        .content_type("application/json")
        .body(r#"{"email": "nobody@example.com", "password": "x"}"#)
        .send()
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    response
        .assert_json(serde_json::json!({
            "code": "invalid_credentials",
            "message": "incorrect email or password"
        }))
        .await;
}

#[tokio::test]
async fn rejected_input_is_400_and_an_outage_503_on_pages_and_api() {
    let mut mocks = Mocks::default();
    mocks
        .accounts
        .expect_find_by_email()
        .with(eq("nul\0@example.com"))
        .returning(|_| {
            Err(RepositoryError::Rejected(
                "invalid byte sequence 0x00".into(),
            ))
        });
    mocks
        .accounts
        .expect_find_by_email()
        .with(eq("down@example.com"))
        .returning(|_| Err(RepositoryError::Unavailable("connection refused".into())));
    let client = mocks.client();
    let rejected = client
        .post("/api/v1/session")
        .content_type("application/json")
        .body(r#"{"email": "nul\u0000@example.com", "password": "x"}"#)
        .send()
        .await;
    rejected.assert_status(StatusCode::BAD_REQUEST);
    let outage = client
        .post("/api/v1/session")
        .content_type("application/json")
        .body(r#"{"email": "down@example.com", "password": "x"}"#)
        .send()
        .await;
    outage.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    outage.assert_header("retry-after", "5");
}

#[tokio::test]
async fn readiness_follows_the_store() {
    let mut mocks = Mocks::default();
    mocks
        .sessions
        .expect_check_ready()
        .times(1)
        .returning(|| Err(RepositoryError::Unavailable("no such table".into())));
    let client = mocks.client();
    client
        .get("/readyz")
        .send()
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
}
