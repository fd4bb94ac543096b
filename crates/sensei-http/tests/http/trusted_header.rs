//! The optional trusted-header identity mode: off by default; when on, the named header's
//! email signs the request in, but only from a listed proxy address (the peer of a real
//! socket, so these tests run a real server on loopback); an unknown email is refused, the
//! header twice is refused, and forms still need CSRF tokens.

use crate::helpers::TestApp;
use poem::http::{header, StatusCode};
use reqwest::redirect::Policy;
use reqwest::Client;
use sensei_http::config::{parse_proxy, TrustedHeader};
use sensei_http::demo::{ALICE, INSTRUCTOR};
use sensei_http::{AppConfig, Application};

const HEADER: &str = "x-forwarded-email";

/// A real server over the test app's database, trusting the header from `proxies`.
async fn serve_trusting(app: &TestApp, proxies: &[&str]) -> String {
    let config = AppConfig {
        trusted_header: Some(TrustedHeader {
            name: poem::http::HeaderName::from_static(HEADER),
            proxies: proxies
                .iter()
                .map(|proxy| parse_proxy(proxy).unwrap())
                .collect(),
        }),
        ..AppConfig::for_tests().unwrap()
    };
    let server = Application::build(config, app.database.clone())
        .await
        .unwrap();
    let base = format!("http://{}", server.address());
    tokio::spawn(server.run_until(std::future::pending()));
    base
}

fn client() -> Client {
    crate::helpers::http_client()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

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
async fn from_a_listed_proxy_the_header_names_the_user() {
    let app = TestApp::spawn().await;
    let base = serve_trusting(&app, &["127.0.0.1/32", "::1"]).await;
    let client = client();

    let admin = client
        .get(format!("{base}/admin"))
        .header(HEADER, INSTRUCTOR)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(
        admin.headers().get("cache-control").unwrap(),
        "no-store",
        "a signed-in page must never be cached"
    );
    assert!(admin
        .text()
        .await
        .unwrap()
        .contains("Pending scheduled sessions"));

    let status = |response: reqwest::Response| response.status();
    assert_eq!(
        status(
            client
                .get(format!("{base}/admin"))
                .header(HEADER, ALICE)
                .send()
                .await
                .unwrap()
        ),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            client
                .get(format!("{base}/submissions"))
                .header(HEADER, "stranger@example.com")
                .send()
                .await
                .unwrap()
        ),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(
            client
                .get(format!("{base}/submissions"))
                .send()
                .await
                .unwrap()
        ),
        StatusCode::SEE_OTHER
    );

    // The JSON API too.
    let me = client
        .get(format!("{base}/api/v1/session"))
        .header(HEADER, INSTRUCTOR)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert!(me.text().await.unwrap().contains(INSTRUCTOR));

    // Forms still need the session's CSRF token.
    let submission = app.submission_of(ALICE).await;
    let forged = client
        .post(format!("{base}/submissions/{submission}/schedule"))
        .header(HEADER, ALICE)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf_token=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn from_any_other_peer_the_header_is_ignored() {
    let app = TestApp::spawn().await;
    let base = serve_trusting(&app, &["10.0.0.0/8"]).await;
    let response = client()
        .get(format!("{base}/admin"))
        .header(HEADER, INSTRUCTOR)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers().get("location").unwrap(), "/login");
}

#[tokio::test]
async fn the_header_twice_is_refused_so_an_appending_proxy_cannot_be_bypassed() {
    let app = TestApp::spawn().await;
    let base = serve_trusting(&app, &["127.0.0.1"]).await;
    let response = client()
        .get(format!("{base}/admin"))
        .header(HEADER, ALICE)
        .header(HEADER, INSTRUCTOR)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
