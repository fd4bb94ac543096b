//! The text rule: a NUL character in any text input is 400 `invalid_input`, on
//! SQLite as on PostgreSQL, through the API and the pages alike: sign-in emails and
//! passwords, cancellation reasons, completion notes, and the student filter of every list
//! (dashboard, history, CSV export). Nothing is changed and no list is read.

use poem::http::StatusCode;
use sensei_http::demo::{self, DAVE, DEMO_PASSWORD, INSTRUCTOR};
use serde_json::json;

use crate::helpers::{Call, PostgresDatabase, TestApp, API};
use crate::workflow_pages::{full_demo, session_of};

async fn nul_is_invalid_input_everywhere(app: &TestApp) {
    // Sign-in: email and password, API and page.
    for body in [
        json!({"email": "sensei\u{0}@example.com", "password": DEMO_PASSWORD}),
        json!({"email": INSTRUCTOR, "password": "sensei-demo\u{0}"}),
    ] {
        app.send(Call::post_json(format!("{API}/session"), &body))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    let browser = app.browser();
    let token = browser.csrf_from("/login").await;
    browser
        .post(
            "/login",
            &[
                ("email", "sensei\u{0}@example.com"),
                ("password", DEMO_PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    let dave_session = session_of(app, DAVE).await;
    let dave = app.sign_in_through_api(DAVE).await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;

    // A cancellation reason, API and page.
    let cancellation = format!("{API}/scheduled-sessions/{dave_session}/cancellation");
    for reason in ["changed my mind\u{0}", "\u{0}=1+1", "\u{0}"] {
        app.send(Call::post_json(&cancellation, &json!({ "reason": reason })).cookie(&dave))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    let dave_pages = app.signed_in(DAVE).await;
    let token = dave_pages.csrf_from("/sessions").await;
    dave_pages
        .post(
            &format!("/sessions/{dave_session}/cancel"),
            &[("csrf_token", &token), ("reason", "bye\u{0}")],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    // Completion notes, either kind, API and page.
    let completion = format!("{API}/scheduled-sessions/{dave_session}/completion");
    for body in [
        json!({"notes": "\u{0}=1+1"}),
        json!({"notes": "fine", "student_notes": "a\u{0}b"}),
    ] {
        app.send(Call::post_json(&completion, &body).cookie(&sensei))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    let sensei_pages = app.signed_in(INSTRUCTOR).await;
    let token = sensei_pages.csrf_from("/admin").await;
    sensei_pages
        .post(
            &format!("/admin/scheduled-sessions/{dave_session}/complete"),
            &[("csrf_token", &token), ("notes", "\u{0}=1+1")],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    // Nothing changed: dave's session is still open, with no reason and no notes.
    let session = app
        .send(Call::get(format!("{API}/scheduled-sessions/{dave_session}")).cookie(&sensei))
        .await;
    let session = session.expect(StatusCode::OK);
    assert_eq!(session["session"]["status"], "pending", "{session}");

    // The student filter of every list: never "everything" (SQLite compared up to the NUL).
    for path in [
        format!("{API}/scheduled-sessions?student=%00"),
        format!("{API}/scheduled-sessions?student=dave%00"),
        format!("{API}/history?student=%00"),
        format!("{API}/scheduled-sessions.csv?student=%00"),
    ] {
        app.send(Call::get(&path).cookie(&sensei))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    app.send(
        Call::get(format!("{API}/scheduled-sessions?student=%00"))
            .cookie(&sensei)
            .header("Accept", "text/csv"),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "invalid_input");
    for path in [
        "/admin?student=%00",
        "/admin/history?student=%00",
        "/admin/export.csv?student=%00",
        "/admin/export.csv?student=x%00y",
    ] {
        sensei_pages
            .get(path)
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_lacks(DAVE);
    }
}

#[tokio::test]
async fn on_sqlite() {
    let app = full_demo().await;
    nul_is_invalid_input_everywhere(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres() {
    let Some(scratch) = tokio::task::spawn_blocking(|| PostgresDatabase::create("the NUL test"))
        .await
        .unwrap()
    else {
        return;
    };
    let app = TestApp::over_demo_postgres(&scratch).await;
    demo::load(&app.database).await.expect("the full demo");
    nul_is_invalid_input_everywhere(&app).await;
    drop(app);
    tokio::task::spawn_blocking(move || drop(scratch))
        .await
        .unwrap();
}
