//! The optional trusted-header identity mode: off by default; when on, the named header's
//! email signs the request in, an unknown email is refused, and forms still need CSRF tokens.

use crate::helpers::TestApp;
use poem::http::{header, HeaderName, StatusCode};
use poem::test::TestClient;
use sensei_http::demo::{ALICE, INSTRUCTOR};
use sensei_http::{build_router, AppConfig, AppState};

const HEADER: &str = "x-forwarded-email";

#[tokio::test]
async fn the_header_is_ignored_unless_the_mode_is_on() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get("/admin")
        .header(HEADER, INSTRUCTOR)
        .send()
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
    response.assert_header(header::LOCATION, "/login");
}

#[tokio::test]
async fn with_the_mode_on_the_header_names_the_user() {
    let app = TestApp::spawn().await;
    let config = AppConfig {
        trusted_header: Some(HeaderName::from_static(HEADER)),
        ..AppConfig::for_tests().unwrap()
    };
    let state = AppState::new(app.database.clone(), &config).unwrap();
    let client = TestClient::new(build_router(state));

    let admin = client.get("/admin").header(HEADER, INSTRUCTOR).send().await;
    admin.assert_status_is_ok();
    let body = admin.0.into_body().into_string().await.unwrap();
    assert!(body.contains("Pending scheduled sessions"));

    client
        .get("/admin")
        .header(HEADER, ALICE)
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    client
        .get("/submissions")
        .header(HEADER, "stranger@example.com")
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let anonymous = client.get("/submissions").send().await;
    anonymous.assert_status(StatusCode::SEE_OTHER);

    // Forms still need the session's CSRF token.
    let submission = app.submission_of(ALICE).await;
    client
        .post(format!("/submissions/{submission}/schedule"))
        .header(HEADER, ALICE)
        .content_type("application/x-www-form-urlencoded")
        .body("csrf_token=forged")
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.session_count().await, 0);
}
