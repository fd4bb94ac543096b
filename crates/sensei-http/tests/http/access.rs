//! Who may do what: the access matrix of the instructor routes, students' own submissions,
//! CSRF on every state-changing form, and escaping of everything user-written.

use crate::helpers::{Browser, TestApp};
use chrono::{Duration, Utc};
use poem::http::StatusCode;
use sensei_core::{GoalStatus, Role};
use sensei_http::demo::{ALICE, BOB, INSTRUCTOR};
use sensei_http::passwords::hash_password;

/// How askama escapes `<script>alert(`.
const ESCAPED: &str = "&#60;script&#62;alert(";

/// Alice books her session; returns (session id, alice's submission id).
async fn alice_books(app: &TestApp) -> (i32, i32) {
    let submission = app.submission_of(ALICE).await;
    let alice = app.signed_in(ALICE).await;
    let token = alice.csrf_from(&format!("/submissions/{submission}")).await;
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::OK);
    let account = app.user_id(ALICE).await;
    let session = app
        .database
        .ports()
        .sessions
        .latest_for(account, submission)
        .await
        .unwrap()
        .unwrap();
    (session.id.get(), submission.get())
}

async fn is_pending(app: &TestApp, id: i32) -> bool {
    app.database
        .ports()
        .sessions
        .get(sensei_core::ScheduledSessionId(id))
        .await
        .unwrap()
        .unwrap()
        .session
        .is_open()
}

#[tokio::test]
async fn instructor_routes_send_anonymous_to_login_refuse_students_and_serve_instructors() {
    let app = TestApp::spawn().await;
    let (id, submission) = alice_books(&app).await;
    let gets = [
        "/admin".to_owned(),
        "/admin?reason=needs_work_feedback".to_owned(),
        format!("/admin/scheduled-sessions/{id}"),
        format!("/admin/submissions/{submission}/conversations"),
    ];
    let complete = format!("/admin/scheduled-sessions/{id}/complete");

    let anonymous = app.browser();
    let anonymous_token = anonymous.csrf_from("/login").await;
    for path in &gets {
        anonymous.get(path).await.assert_redirect("/login");
    }
    anonymous
        .post(
            &complete,
            &[("csrf_token", &anonymous_token), ("notes", "x")],
        )
        .await
        .assert_redirect("/login");
    assert!(is_pending(&app, id).await);

    for student in [ALICE, BOB] {
        let browser = app.signed_in(student).await;
        let token = browser.csrf_from("/submissions").await;
        for path in &gets {
            browser
                .get(path)
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("<title>");
        }
        browser
            .post(&complete, &[("csrf_token", &token), ("notes", "sneaky")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(is_pending(&app, id).await, "{student} must not complete");
    }

    let sensei = app.signed_in(INSTRUCTOR).await;
    for path in &gets {
        sensei.get(path).await.assert_status(StatusCode::OK);
    }
    let token = sensei.csrf_from("/admin").await;
    sensei
        .post(&complete, &[("csrf_token", &token), ("notes", "done")])
        .await
        .assert_redirect("/admin");
    assert!(!is_pending(&app, id).await);
}

#[tokio::test]
async fn signed_in_pages_send_anonymous_visitors_to_login() {
    let app = TestApp::spawn().await;
    let submission = app.submission_of(ALICE).await;
    let anonymous = app.browser();
    for path in [
        "/".to_owned(),
        "/submissions".to_owned(),
        format!("/submissions/{submission}"),
    ] {
        anonymous.get(&path).await.assert_redirect("/login");
    }
    let token = anonymous.csrf_from("/login").await;
    anonymous
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_redirect("/login");
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn a_student_sees_and_books_only_their_own_submissions() {
    let app = TestApp::spawn().await;
    let alices = app.submission_of(ALICE).await;
    let bob = app.signed_in(BOB).await;
    bob.get("/submissions")
        .await
        .assert_lacks(&format!("/submissions/{alices}\""));
    bob.get(&format!("/submissions/{alices}"))
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_lacks("URL Shortener");
    let token = bob.csrf_from("/submissions").await;
    bob.post(
        &format!("/submissions/{alices}/schedule"),
        &[("csrf_token", &token)],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.session_count().await, 0);
}

/// Posts `fields` (plus a bad token, or none) and expects 403 with nothing changed.
async fn refused(browser: &Browser<'_>, path: &str, fields: &[(&str, &str)]) {
    let no_token = browser.post(path, fields).await;
    no_token
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("Form expired");
    let mut forged: Vec<(&str, &str)> = fields.to_vec();
    forged.push(("csrf_token", "forged-token-that-is-not-the-sessions"));
    browser
        .post(path, &forged)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mut empty: Vec<(&str, &str)> = fields.to_vec();
    empty.push(("csrf_token", ""));
    browser
        .post(path, &empty)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let submission = app.submission_of(ALICE).await;

    // Sign-in: refused, still anonymous.
    let anonymous = app.browser();
    anonymous.get("/login").await;
    refused(
        &anonymous,
        "/login",
        &[("email", ALICE), ("password", "sensei-demo")],
    )
    .await;
    anonymous
        .get("/submissions")
        .await
        .assert_redirect("/login");

    // Booking: refused, no session recorded.
    let alice = app.signed_in(ALICE).await;
    refused(&alice, &format!("/submissions/{submission}/schedule"), &[]).await;
    assert_eq!(app.session_count().await, 0);

    // A token from another session is not this session's token.
    let bob = app.signed_in(BOB).await;
    let bobs_token = bob.csrf_from("/submissions").await;
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &bobs_token)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.session_count().await, 0);

    // Sign-out: refused, still signed in.
    refused(&alice, "/logout", &[]).await;
    alice
        .get("/submissions")
        .await
        .assert_status(StatusCode::OK);

    // Completion: refused, still pending.
    let (id, _) = alice_books(&app).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei.get("/admin").await;
    refused(
        &sensei,
        &format!("/admin/scheduled-sessions/{id}/complete"),
        &[("notes", "forged")],
    )
    .await;
    assert!(is_pending(&app, id).await);
}

#[tokio::test]
async fn user_written_text_comes_back_escaped() {
    let app = TestApp::spawn().await;
    let writer = app.database.platform_writer();
    let email = "<script>alert('email')</script>@example.com";
    let hash = hash_password("sensei-demo").unwrap();
    let student = app
        .database
        .accounts()
        .create(email, Role::Student, &hash)
        .await
        .unwrap();
    let (challenge, goals) = writer
        .create_challenge(
            "<script>alert('challenge')</script>",
            "<b>description</b>",
            &[
                "<script>alert('goal')</script>",
                "<img src=x onerror=alert(1)>",
            ],
        )
        .await
        .unwrap();
    let submission = writer
        .create_submission(student, challenge, Utc::now() - Duration::hours(2))
        .await
        .unwrap();
    writer
        .add_review(submission, "needs_work", Utc::now() - Duration::hours(1))
        .await
        .unwrap();
    writer
        .set_goal_progress(student, goals[0], GoalStatus::Engaged)
        .await
        .unwrap();
    writer
        .add_agent_session(
            student,
            challenge,
            Some(goals[0]),
            Utc::now() - Duration::hours(1),
            &[("user", "<script>alert('message')</script>")],
        )
        .await
        .unwrap();
    writer
        .add_anatomy_conversation(
            submission,
            "<script>alert('conversation')</script>",
            Utc::now() - Duration::hours(1),
            &[("assistant", "</li><script>alert('anatomy')</script>")],
        )
        .await
        .unwrap();

    let browser = app.signed_in(email).await;
    let page = browser
        .get(&format!("/submissions/{}", submission.get()))
        .await;
    page.assert_status(StatusCode::OK)
        .assert_lacks("<script>")
        .assert_contains(ESCAPED);
    browser
        .post(
            &format!("/submissions/{}/schedule", submission.get()),
            &[("csrf_token", &page.csrf())],
        )
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("<script>");

    let sensei = app.signed_in(INSTRUCTOR).await;
    let dashboard = sensei.get("/admin").await;
    dashboard.assert_lacks("<script>").assert_contains(ESCAPED);
    let marker = "/admin/scheduled-sessions/";
    let start = dashboard.body.find(marker).unwrap() + marker.len();
    let end = dashboard.body[start..].find('"').unwrap() + start;
    let id = &dashboard.body[start..end];
    let detail = sensei.get(&format!("/admin/scheduled-sessions/{id}")).await;
    detail
        .assert_lacks("<script>")
        .assert_lacks("<img src=x")
        .assert_contains("&#60;img src=x onerror=alert(1)&#62;");
    sensei
        .get(&format!(
            "/admin/submissions/{}/conversations",
            submission.get()
        ))
        .await
        .assert_lacks("<script>")
        .assert_lacks("</li><script>")
        .assert_contains("&#60;/li&#62;&#60;script&#62;")
        .assert_status(StatusCode::OK);

    sensei
        .post(
            &format!("/admin/scheduled-sessions/{id}/complete"),
            &[
                ("csrf_token", &detail.csrf()),
                ("notes", "<script>alert('notes')</script> & \"quotes\""),
            ],
        )
        .await
        .assert_redirect("/admin");
    sensei
        .get(&format!("/admin/scheduled-sessions/{id}"))
        .await
        .assert_lacks("<script>")
        .assert_contains(
            "&#60;script&#62;alert(&#39;notes&#39;)&#60;/script&#62; &#38; &#34;quotes&#34;",
        );
}
