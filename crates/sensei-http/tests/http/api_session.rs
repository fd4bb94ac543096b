//! The JSON API's sign-in, who-am-I and sign-out, through the real router.

use crate::helpers::{Call, TestApp, API};
use poem::http::{header, Method, StatusCode};
use sensei_http::demo::{ALICE, DEMO_PASSWORD, INSTRUCTOR};
use serde_json::json;

fn credentials(email: &str, password: &str) -> serde_json::Value {
    json!({"email": email, "password": password})
}

#[tokio::test]
async fn signing_in_returns_the_user_and_sets_a_private_http_only_same_site_cookie() {
    let app = TestApp::spawn().await;
    let reply = app
        .send(Call::post_json(
            format!("{API}/session"),
            &credentials(ALICE, DEMO_PASSWORD),
        ))
        .await;
    let user = reply.expect(StatusCode::OK);
    assert_eq!(user["email"], ALICE);
    assert_eq!(user["role"], "student");
    assert_eq!(user["id"], app.user_id(ALICE).await.get());
    let set_cookie = reply.header(header::SET_COOKIE.as_str()).unwrap();
    assert!(set_cookie.starts_with("sensei_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains(ALICE),
        "the cookie is encrypted: {set_cookie}"
    );
}

#[tokio::test]
async fn who_am_i_is_401_when_anonymous_and_the_user_when_signed_in() {
    let app = TestApp::spawn().await;
    app.send(Call::get(format!("{API}/session")))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let reply = app
        .send(Call::get(format!("{API}/session")).cookie(&cookie))
        .await;
    let user = reply.expect(StatusCode::OK);
    assert_eq!(user["email"], INSTRUCTOR);
    assert_eq!(user["role"], "instructor");
}

#[tokio::test]
async fn a_wrong_password_or_an_unknown_email_is_401_invalid_credentials_without_a_session() {
    let app = TestApp::spawn().await;
    for (email, password) in [
        (ALICE, "wrong password"),
        ("nobody@example.com", DEMO_PASSWORD),
    ] {
        let reply = app
            .send(Call::post_json(
                format!("{API}/session"),
                &credentials(email, password),
            ))
            .await;
        reply.expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        if let Some(cookie) = reply.session_cookie() {
            app.send(Call::get(format!("{API}/session")).cookie(&cookie))
                .await
                .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
    }
}

#[tokio::test]
async fn signing_in_again_starts_a_new_session_for_the_new_user() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let reply = app
        .send(
            Call::post_json(
                format!("{API}/session"),
                &credentials(INSTRUCTOR, DEMO_PASSWORD),
            )
            .cookie(&alice),
        )
        .await;
    reply.expect(StatusCode::OK);
    let renewed = reply.session_cookie().expect("a new cookie");
    assert_ne!(renewed, alice);
    let who = app
        .send(Call::get(format!("{API}/session")).cookie(&renewed))
        .await;
    assert_eq!(who.expect(StatusCode::OK)["email"], INSTRUCTOR);
}

#[tokio::test]
async fn the_api_and_the_pages_share_the_session_cookie() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let page = app.send(Call::get("/admin").cookie(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Pending scheduled sessions"));
}

#[tokio::test]
async fn signing_out_removes_the_cookie_and_needs_the_custom_header_or_json() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(ALICE).await;

    let forged = app
        .send(Call::new(Method::DELETE, format!("{API}/session")).cookie(&cookie))
        .await;
    forged.expect_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(
        forged.session_cookie(),
        None,
        "a refused sign-out keeps the session"
    );
    let form = app
        .send(
            Call::new(Method::DELETE, format!("{API}/session"))
                .cookie(&cookie)
                .body("application/x-www-form-urlencoded", "a=b"),
        )
        .await;
    form.expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    app.send(Call::get(format!("{API}/session")).cookie(&cookie))
        .await
        .expect(StatusCode::OK);

    let reply = app
        .send(
            Call::new(Method::DELETE, format!("{API}/session"))
                .cookie(&cookie)
                .header("X-Requested-With", "curl"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let removal = reply
        .header(header::SET_COOKIE.as_str())
        .expect("the cookie is removed");
    assert!(removal.starts_with("sensei_session="), "{removal}");
    assert!(
        removal.contains("Path=/"),
        "the removal must apply to the whole site, not /api/v1 only: {removal}"
    );
    assert!(
        removal.contains("Max-Age=0") || removal.contains("1970"),
        "{removal}"
    );
    let json_sign_out = app
        .send(Call::new(Method::DELETE, format!("{API}/session")).body("application/json", ""))
        .await;
    assert_eq!(json_sign_out.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_copy_of_the_cookie_stops_working_after_signing_out() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(ALICE).await;
    let copy = cookie.clone();
    let reply = app
        .send(
            Call::new(Method::DELETE, format!("{API}/session"))
                .cookie(&cookie)
                .header("X-Requested-With", "curl"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    app.send(Call::get(format!("{API}/session")).cookie(&copy))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.send(Call::get(format!("{API}/scheduled-sessions")).cookie(&copy))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn malformed_sign_in_bodies_are_json_4xx_errors() {
    let app = TestApp::spawn().await;
    let path = format!("{API}/session");
    for body in [
        "{not json",
        "[]",
        r#"{"email": "alice@example.com"}"#,
        r#"{"email": [7], "password": "x"}"#,
        r#"{"email": "", "password": "x"}"#,
    ] {
        app.send(Call::new(Method::POST, &path).body("application/json", body))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    app.send(
        Call::new(Method::POST, &path)
            .body("application/x-www-form-urlencoded", "email=a&password=b"),
    )
    .await
    .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    app.send(Call::new(Method::POST, &path).body("text/plain", r#"{"email":"a","password":"b"}"#))
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    app.send(Call::new(Method::POST, &path))
        .await
        .expect_error(StatusCode::FORBIDDEN, "csrf_rejected");
}

#[tokio::test]
async fn an_outage_answers_503_unavailable_with_retry_after() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let down = app.with_database_down();
    let started = std::time::Instant::now();
    let reply = down
        .send(Call::post_json(
            format!("{API}/session"),
            &credentials(ALICE, DEMO_PASSWORD),
        ))
        .await;
    reply.expect_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(reply.header("retry-after"), Some("5"));
    let list = down
        .send(Call::get(format!("{API}/scheduled-sessions")).cookie(&cookie))
        .await;
    list.expect_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn signed_in_json_is_never_cached_and_errors_neither() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let list = app
        .send(Call::get(format!("{API}/scheduled-sessions")).cookie(&cookie))
        .await;
    list.expect(StatusCode::OK);
    assert_eq!(list.header("cache-control"), Some("no-store"));
    let missing = app
        .send(Call::get(format!("{API}/scheduled-sessions/999999")).cookie(&cookie))
        .await;
    missing.expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(missing.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_sign_in_flood_gets_429_with_retry_after_before_any_password_is_checked() {
    let app = TestApp::spawn().await;
    let mut limited = None;
    for _ in 0..30 {
        let reply = app
            .send(Call::post_json(
                format!("{API}/session"),
                &credentials(ALICE, "wrong password"),
            ))
            .await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
        reply.expect_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let limited = limited.expect("the per-account limit (20 failures a minute) must be reached");
    limited.expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    // Even the right password waits now: an account out of credit is not checked at all.
    app.send(Call::post_json(
        format!("{API}/session"),
        &credentials(ALICE, DEMO_PASSWORD),
    ))
    .await
    .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another account is not affected.
    app.send(Call::post_json(
        format!("{API}/session"),
        &credentials(INSTRUCTOR, DEMO_PASSWORD),
    ))
    .await
    .expect(StatusCode::OK);
}
