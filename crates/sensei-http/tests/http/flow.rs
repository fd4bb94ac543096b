//! Issue 4's acceptance flow through the real router and the real SQLite adapter.

use crate::helpers::TestApp;
use poem::http::StatusCode;
use sensei_http::demo::{ALICE, ALICE_CHALLENGE, BOB, BOB_CHALLENGE, CAROL, INSTRUCTOR};

fn session_id_in(dashboard: &str, student: &str) -> String {
    let row_start = dashboard.find(student).expect("student row");
    let row = &dashboard[row_start..];
    let marker = "/admin/scheduled-sessions/";
    let start = row.find(marker).expect("details link") + marker.len();
    let end = row[start..].find('"').unwrap() + start;
    row[start..end].to_owned()
}

#[tokio::test]
async fn alice_books_and_the_instructor_sees_prepares_and_completes_her_session() {
    let app = TestApp::spawn().await;
    let submission = app.submission_of(ALICE).await;

    // Alice signs in, lands on her submissions, opens hers and books.
    let alice = app.signed_in(ALICE).await;
    alice.get("/").await.assert_redirect("/submissions");
    alice
        .get("/submissions")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(ALICE_CHALLENGE)
        .assert_contains(&format!("/submissions/{submission}"));
    let page = alice.get(&format!("/submissions/{submission}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Schedule a Sensei Session")
        .assert_contains("Validate incoming URLs")
        .assert_contains("1 passed, 1 engaged / 3 total");
    let booked = alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    booked
        .assert_status(StatusCode::OK)
        .assert_contains("Sensei session scheduled")
        .assert_contains("Needs work feedback")
        .assert_lacks("already scheduled");
    assert_eq!(app.session_count().await, 1);

    // Booking again within the hour shows the same session, not an error.
    let again = alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    again
        .assert_status(StatusCode::OK)
        .assert_contains("You already scheduled a sensei session at");
    assert_eq!(app.session_count().await, 1);
    alice
        .get(&format!("/submissions/{submission}"))
        .await
        .assert_contains("Your latest sensei session was scheduled at");

    // The instructor's dashboard shows her row.
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei.get("/").await.assert_redirect("/admin");
    let dashboard = sensei.get("/admin").await;
    dashboard
        .assert_status(StatusCode::OK)
        .assert_contains("Pending scheduled sessions")
        .assert_contains("Scheduled Sessions")
        .assert_contains(ALICE)
        .assert_contains(ALICE_CHALLENGE)
        .assert_contains("Needs work feedback")
        .assert_contains("1 passed, 1 engaged / 3 total")
        .assert_contains("View Details")
        .assert_contains("View Conversations")
        .assert_contains(&format!("/admin/submissions/{submission}/conversations"));
    let id = session_id_in(&dashboard.body, ALICE);

    // The detail page: goal progress and digi-trainer message previews.
    let detail = sensei.get(&format!("/admin/scheduled-sessions/{id}")).await;
    detail
        .assert_status(StatusCode::OK)
        .assert_contains(ALICE)
        .assert_contains("Current goal progress")
        .assert_contains("Generate unique short codes")
        .assert_contains("Not started")
        .assert_contains("Should I accept URLs without a scheme?")
        .assert_contains("Where is the uniqueness of a code guaranteed today")
        .assert_contains("Mark as Completed")
        .assert_contains("<label for=\"notes\"");

    // The anatomy conversations.
    sensei
        .get(&format!("/admin/submissions/{submission}/conversations"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Walk-through of the redirect handler")
        .assert_contains("returns 200 instead of 301");

    // Completing with notes redirects to /admin, where the row is gone.
    let done = sensei
        .post(
            &format!("/admin/scheduled-sessions/{id}/complete"),
            &[
                ("csrf_token", &detail.csrf()),
                ("notes", "Talked through atomic inserts."),
            ],
        )
        .await;
    done.assert_redirect("/admin");
    let dashboard = sensei.get("/admin").await;
    dashboard.assert_status(StatusCode::OK).assert_lacks(ALICE);
    sensei
        .get(&format!("/admin/scheduled-sessions/{id}"))
        .await
        .assert_contains("Completed at")
        .assert_contains("Talked through atomic inserts.")
        .assert_lacks("Mark as Completed");
}

#[tokio::test]
async fn bob_is_eligible_through_digi_trainer_engagement() {
    let app = TestApp::spawn().await;
    let submission = app.submission_of(BOB).await;
    let bob = app.signed_in(BOB).await;
    let page = bob.get(&format!("/submissions/{submission}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Schedule a Sensei Session")
        .assert_contains("2 passed, 2 engaged / 4 total");
    bob.post(
        &format!("/submissions/{submission}/schedule"),
        &[("csrf_token", &page.csrf())],
    )
    .await
    .assert_status(StatusCode::OK)
    .assert_contains("Digi-trainer engagement");

    let sensei = app.signed_in(INSTRUCTOR).await;
    let dashboard = sensei.get("/admin").await;
    dashboard
        .assert_contains(BOB)
        .assert_contains(BOB_CHALLENGE)
        .assert_contains("Digi-trainer engagement")
        .assert_contains("2 passed, 2 engaged / 4 total");
    let id = session_id_in(&dashboard.body, BOB);
    sensei
        .get(&format!("/admin/scheduled-sessions/{id}"))
        .await
        .assert_contains("Two orders can both take the last item.");
}

#[tokio::test]
async fn carol_sees_no_button_sees_why_and_a_forged_booking_creates_nothing() {
    let app = TestApp::spawn().await;
    let submission = app.submission_of(CAROL).await;
    let carol = app.signed_in(CAROL).await;
    let page = carol.get(&format!("/submissions/{submission}")).await;
    page.assert_status(StatusCode::OK)
        .assert_lacks("Schedule a Sensei Session")
        .assert_contains("A sensei session is not offered for this submission yet")
        .assert_contains("1 of 5 goals engaged; 5 needed")
        .assert_contains("no instructor review has asked for more work yet");

    // A forged POST with her own valid CSRF token is refused with the reasons.
    let forged = carol
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    forged
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Not eligible for a sensei session yet")
        .assert_contains("1 of 5 goals engaged; 5 needed");
    assert_eq!(app.session_count().await, 0);

    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei.get("/admin").await.assert_lacks(CAROL);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in(ALICE).await;
    let token = alice.csrf_from("/submissions").await;
    let cookie_before = alice.cookies.lock().unwrap().clone();
    alice
        .post("/logout", &[("csrf_token", &token)])
        .await
        .assert_redirect("/login");
    alice.get("/submissions").await.assert_redirect("/login");
    assert!(alice.cookies.lock().unwrap().is_empty());

    // A copy of the cookie taken before signing out no longer signs anyone in: the session
    // ended on the server, not only in this browser.
    *alice.cookies.lock().unwrap() = cookie_before;
    alice.get("/submissions").await.assert_redirect("/login");
    alice.get("/").await.assert_redirect("/login");
}

#[tokio::test]
async fn a_changed_role_counts_from_the_next_request_and_a_deleted_user_is_signed_out() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in(ALICE).await;
    alice
        .get("/admin")
        .await
        .assert_status(StatusCode::FORBIDDEN);

    app.execute_sql(&format!(
        "UPDATE users SET role = 'instructor' WHERE email = '{ALICE}'"
    ));
    alice.get("/admin").await.assert_status(StatusCode::OK);
    app.execute_sql(&format!(
        "UPDATE users SET role = 'student' WHERE email = '{ALICE}'"
    ));
    alice
        .get("/admin")
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // A user without submissions can be deleted; the delete cascades to their sessions.
    let hash = sensei_http::passwords::hash_password("sensei-demo").unwrap();
    app.database
        .accounts()
        .create("dana@example.com", sensei_core::Role::Instructor, &hash)
        .await
        .unwrap();
    let dana = app.signed_in("dana@example.com").await;
    dana.get("/admin").await.assert_status(StatusCode::OK);
    app.execute_sql("DELETE FROM users WHERE email = 'dana@example.com'");
    dana.get("/admin").await.assert_redirect("/login");
}

#[tokio::test]
async fn the_email_is_matched_whatever_its_letter_case() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.sign_in("  Alice@Example.COM ").await;
    browser
        .get("/submissions")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(ALICE);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_are_refused_alike() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for (email, password) in [(ALICE, "wrong"), ("nobody@example.com", "sensei-demo")] {
        let token = browser.csrf_from("/login").await;
        let page = browser
            .post(
                "/login",
                &[
                    ("csrf_token", &token),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        page.assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("Incorrect email or password.");
    }
    browser.get("/submissions").await.assert_redirect("/login");
}

#[tokio::test]
async fn the_session_cookie_is_private_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let token = browser.csrf_from("/login").await;
    let page = browser
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", ALICE),
                ("password", "sensei-demo"),
            ],
        )
        .await;
    let cookie = page
        .set_cookies
        .iter()
        .find(|cookie| cookie.starts_with("sensei_session="))
        .expect("a session cookie");
    let lower = cookie.to_ascii_lowercase();
    assert!(lower.contains("httponly"), "{cookie}");
    assert!(lower.contains("samesite=lax"), "{cookie}");
    assert!(lower.contains("path=/"), "{cookie}");
    assert!(
        !cookie.contains(ALICE) && !cookie.contains("alice"),
        "{cookie}"
    );
}
