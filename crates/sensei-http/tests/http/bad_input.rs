//! Bad input gets a clear 4xx page, never a 5xx; double completion is a conflict; the queue
//! pages and filters; health checks and the stylesheet.

use crate::helpers::TestApp;
use chrono::{Duration, Utc};
use poem::http::StatusCode;
use sensei_core::Actor;
use sensei_http::demo::{ALICE, BOB, INSTRUCTOR};

async fn booked_session(app: &TestApp) -> i32 {
    let account = app.user_id(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    app.state
        .service
        .book(Actor::student(account), submission)
        .await
        .unwrap()
        .session
        .id
        .get()
}

#[tokio::test]
async fn malformed_and_unknown_ids_get_clear_pages() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in(ALICE).await;
    for (path, status) in [
        ("/submissions/abc", StatusCode::BAD_REQUEST),
        ("/submissions/1.5", StatusCode::BAD_REQUEST),
        ("/submissions/99999999999999", StatusCode::BAD_REQUEST),
        ("/submissions/%3Cscript%3E", StatusCode::BAD_REQUEST),
        ("/submissions/424242", StatusCode::NOT_FOUND),
        ("/submissions/-1", StatusCode::NOT_FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let page = alice.get(path).await;
        page.assert_status(status)
            .assert_contains("<title>")
            .assert_lacks("<script>");
    }
    let token = alice.csrf_from("/submissions").await;
    alice
        .post("/submissions/abc/schedule", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    alice
        .post("/submissions/424242/schedule", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let sensei = app.signed_in(INSTRUCTOR).await;
    let token = sensei.csrf_from("/admin").await;
    for (path, status) in [
        ("/admin/scheduled-sessions/abc", StatusCode::BAD_REQUEST),
        ("/admin/scheduled-sessions/424242", StatusCode::NOT_FOUND),
        (
            "/admin/submissions/xyz/conversations",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/admin/submissions/424242/conversations",
            StatusCode::NOT_FOUND,
        ),
        ("/admin?reason=bogus", StatusCode::BAD_REQUEST),
        ("/admin?challenge=abc", StatusCode::BAD_REQUEST),
        ("/admin?after=not-a-cursor", StatusCode::BAD_REQUEST),
    ] {
        sensei
            .get(path)
            .await
            .assert_status(status)
            .assert_contains("<title>");
    }
    sensei
        .post(
            "/admin/scheduled-sessions/424242/complete",
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sensei
        .post(
            "/admin/scheduled-sessions/abc/complete",
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_methods_encodings_sizes_and_missing_fields_are_4xx() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .get("/logout")
        .await
        .assert_status(StatusCode::METHOD_NOT_ALLOWED);
    let token = browser.csrf_from("/login").await;
    // Missing fields: the form comes back with a message.
    browser
        .post("/login", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("Enter your email and your password.");
    // Not a form.
    browser
        .post_raw(
            "/login",
            "application/json",
            br#"{"email":"alice@example.com"}"#.to_vec(),
        )
        .await
        .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Too large.
    let huge = format!("csrf_token={token}&email={}", "a".repeat(300 * 1024));
    browser
        .post_raw(
            "/login",
            "application/x-www-form-urlencoded",
            huge.into_bytes(),
        )
        .await
        .assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    // Not urlencoded at all.
    browser
        .post_raw(
            "/login",
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, b'=', b'%', b'z'],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn notes_over_the_limit_are_refused_and_a_second_completion_keeps_the_first() {
    let app = TestApp::spawn().await;
    let id = booked_session(&app).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let token = sensei.csrf_from("/admin").await;
    let path = format!("/admin/scheduled-sessions/{id}/complete");

    // Multi-line text as a browser sends it (CRLF), with characters outside the BMP: the
    // form has no maxlength (it counts UTF-16 units and LF newlines), the server decides.
    let too_long = format!("{}\r\n{}", "n".repeat(9_000), "\u{1F600}".repeat(1_000));
    let refused = sensei
        .post(&path, &[("csrf_token", &token), ("notes", &too_long)])
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("10002 characters long; at most 10000")
        .assert_contains("Mark as Completed")
        .assert_contains(&format!(">{too_long}</textarea>"))
        .assert_lacks("maxlength");
    sensei
        .get(&format!("/admin/scheduled-sessions/{id}"))
        .await
        .assert_lacks("maxlength")
        .assert_contains("at most 10000 characters");
    sensei
        .get(&format!("/admin/scheduled-sessions/{id}"))
        .await
        .assert_contains("Mark as Completed");

    let longest = "é".repeat(10_000);
    sensei
        .post(&path, &[("csrf_token", &token), ("notes", &longest)])
        .await
        .assert_redirect("/admin");
    let second = sensei
        .post(&path, &[("csrf_token", &token), ("notes", "second try")])
        .await;
    second
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("already completed");
    let detail = sensei.get(&format!("/admin/scheduled-sessions/{id}")).await;
    detail.assert_contains(&longest).assert_lacks("second try");
}

#[tokio::test]
async fn the_queue_is_oldest_first_paged_and_filtered() {
    // Alice books 30 sessions here: a policy that allows that many open at once.
    let app = TestApp::spawn_with(sensei_http::AppConfig {
        policy: sensei_core::Policy::default()
            .with_max_open_sessions(100)
            .unwrap(),
        ..sensei_http::AppConfig::for_tests().unwrap()
    })
    .await;
    let alice = app.user_id(ALICE).await;
    let bob = app.user_id(BOB).await;
    let writer = app.database.platform_writer();
    let overview = app
        .state
        .service
        .submission_overview(Actor::student(alice), app.submission_of(ALICE).await)
        .await
        .unwrap();
    let challenge = overview.submission.challenge_id;
    // Bob books first (oldest), then 30 more of Alice's submissions.
    app.state
        .service
        .book(Actor::student(bob), app.submission_of(BOB).await)
        .await
        .unwrap();
    for day in 0..30 {
        let submission = writer
            .create_submission(alice, challenge, Utc::now() - Duration::days(day + 1))
            .await
            .unwrap();
        writer
            .add_review(submission, "needs_work", Utc::now())
            .await
            .unwrap();
        app.state
            .service
            .book(Actor::student(alice), submission)
            .await
            .unwrap();
    }

    let sensei = app.signed_in(INSTRUCTOR).await;
    let first = sensei.get("/admin").await;
    first.assert_status(StatusCode::OK);
    assert_eq!(first.body.matches(">View Details<").count(), 25);
    let bob_at = first.body.find(BOB).unwrap();
    let alice_at = first.body.find(ALICE).unwrap();
    assert!(bob_at < alice_at, "the oldest session comes first");
    let marker = "href=\"/admin?after=";
    let start = first.body.find(marker).expect("a next link") + "href=\"".len();
    let end = first.body[start..].find('"').unwrap() + start;
    let next = first.body[start..end].replace("&#38;", "&");
    let second = sensei.get(&next).await;
    second.assert_status(StatusCode::OK);
    assert_eq!(second.body.matches(">View Details<").count(), 6);
    second
        .assert_lacks("rel=\"next\"")
        .assert_contains("First page");

    let engaged = sensei.get("/admin?reason=digi_trainer_engagement").await;
    assert_eq!(engaged.body.matches(">View Details<").count(), 1);
    engaged.assert_contains(BOB);
    let by_student = sensei.get("/admin?student=ALICE").await;
    by_student.assert_lacks(BOB);
    assert_eq!(by_student.body.matches(">View Details<").count(), 25);
    let by_challenge = sensei
        .get(&format!("/admin?challenge={}", challenge.get()))
        .await;
    by_challenge.assert_lacks(BOB);
    by_challenge.assert_contains("<p class=\"stat-value\">31</p>");
}

#[tokio::test]
async fn health_checks_and_the_stylesheet() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.get("/healthz").await.assert_status(StatusCode::OK);
    browser.get("/readyz").await.assert_status(StatusCode::OK);
    let css = browser.get("/static/style.css").await;
    css.assert_status(StatusCode::OK);
    assert_eq!(css.content_type.as_deref(), Some("text/css; charset=utf-8"));
    let login = browser.get("/login").await;
    login
        .assert_contains("<title>Sign in")
        .assert_contains("<label for=\"email\">")
        .assert_contains("<label for=\"password\">");
}
