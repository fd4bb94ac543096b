//! The instructor workflow on the pages: claims on the dashboard and the detail page, the
//! "mine" filter and card, completion with both kinds of notes, the timeline, the history,
//! the student's sessions page and cancelling, with the access rules and CSRF on every new
//! form. Runs over the full demo (sessions in every state).

use crate::helpers::{Browser, TestApp};
use poem::http::StatusCode;
use sensei_core::{Policy, ScheduledSessionId, SessionQuery, StatusFilter};
use sensei_http::demo::{
    self, ALICE, ANN, BOB, CAROL, DAVE, ERIN, FRANK, FRANK_NOTES, FRANK_STUDENT_NOTES, GRACE,
    GRACE_REASON, INSTRUCTOR,
};
use sensei_http::AppConfig;

/// The app over the full demo: the first demo accounts plus ann and the workflow students.
pub async fn full_demo() -> TestApp {
    full_demo_with(AppConfig::for_tests().expect("config")).await
}

pub async fn full_demo_with(config: AppConfig) -> TestApp {
    let app = TestApp::spawn_with(config).await;
    demo::load(&app.database).await.expect("the full demo");
    app
}

/// The id of a student's latest session.
pub async fn session_of(app: &TestApp, email: &str) -> ScheduledSessionId {
    let query = SessionQuery {
        status: StatusFilter::All,
        student: Some(app.user_id(email).await),
        order: sensei_core::ListOrder::NewestFirst,
        ..SessionQuery::default()
    };
    app.database
        .ports()
        .sessions
        .list(&query, sensei_core::PageRequest::default())
        .await
        .unwrap()
        .items
        .first()
        .expect("a session")
        .session
        .id
}

/// The part of a page from `needle` to the end of its table row.
fn row_of<'a>(body: &'a str, needle: &str) -> &'a str {
    let start = body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {body}"));
    let end = body[start..]
        .find("</tr>")
        .map_or(body.len(), |end| start + end);
    &body[start..end]
}

async fn post_claim(
    browser: &Browser<'_>,
    id: ScheduledSessionId,
    action: &str,
    back: &str,
) -> crate::helpers::Page {
    let token = browser.csrf_from("/admin").await;
    browser
        .post(
            &format!("/admin/scheduled-sessions/{id}/{action}"),
            &[("csrf_token", &token), ("return_to", back)],
        )
        .await
}

#[tokio::test]
async fn the_dashboard_shows_holders_claims_from_a_row_and_filters_mine() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let dashboard = sensei.get("/admin").await;
    dashboard
        .assert_status(StatusCode::OK)
        .assert_contains("Pending scheduled sessions")
        .assert_contains("Claimed by me")
        .assert_contains("Claimed by</th>")
        .assert_contains("View Details")
        .assert_contains("View Conversations")
        .assert_lacks(FRANK)
        .assert_lacks(GRACE);
    // Erin's row names ann and the expiry and offers no Claim; dave's offers Claim.
    let erin_row = row_of(&dashboard.body, ERIN);
    assert!(erin_row.contains(&format!("{ANN} until ")), "{erin_row}");
    assert!(!erin_row.contains("/claim"), "{erin_row}");
    let dave_row = row_of(&dashboard.body, DAVE);
    assert!(dave_row.contains("/claim"), "{dave_row}");
    assert!(dave_row.contains("—"), "{dave_row}");

    let dave = session_of(&app, DAVE).await;
    post_claim(&sensei, dave, "claim", "dashboard")
        .await
        .assert_redirect("/admin");
    let dashboard = sensei.get("/admin").await;
    let dave_row = row_of(&dashboard.body, DAVE);
    assert!(
        dave_row.contains(&format!("{INSTRUCTOR} until ")),
        "{dave_row}"
    );
    assert!(dave_row.contains("/release"), "{dave_row}");
    assert!(
        dashboard.body.contains(
            "<p class=\"stat-value\">1</p>\n    <p class=\"stat-label\">Claimed by me</p>"
        ),
        "{}",
        dashboard.body
    );

    // mine=1: only the viewer's claims.
    let mine = sensei.get("/admin?mine=1").await;
    mine.assert_status(StatusCode::OK)
        .assert_contains(DAVE)
        .assert_lacks(ERIN);
    let ann = app.signed_in(ANN).await;
    ann.get("/admin?mine=1")
        .await
        .assert_contains(ERIN)
        .assert_lacks(DAVE);
    sensei
        .get("/admin?mine=yes")
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    // Release from the dashboard puts it back.
    post_claim(&sensei, dave, "release", "dashboard")
        .await
        .assert_redirect("/admin");
    assert!(row_of(&sensei.get("/admin").await.body, DAVE).contains("/claim"));
}

#[tokio::test]
async fn a_claim_held_by_another_instructor_is_a_409_naming_them_and_only_they_complete() {
    let app = full_demo().await;
    let erin = session_of(&app, ERIN).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let detail = sensei
        .get(&format!("/admin/scheduled-sessions/{erin}"))
        .await;
    detail
        .assert_status(StatusCode::OK)
        .assert_contains("Claimed")
        .assert_contains(&format!("{ANN} until "))
        .assert_contains("only they can complete it")
        .assert_lacks("Mark as Completed")
        .assert_lacks(&format!("/admin/scheduled-sessions/{erin}/claim"));
    let refused = post_claim(&sensei, erin, "claim", "detail").await;
    refused
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("Claimed by another instructor")
        .assert_contains(&format!("claimed by {ANN} until"));
    let token = detail.csrf();
    sensei
        .post(
            &format!("/admin/scheduled-sessions/{erin}/complete"),
            &[("csrf_token", &token), ("notes", "mine now")],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(ANN);
    sensei
        .post(
            &format!("/admin/scheduled-sessions/{erin}/release"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(ANN);

    // Ann, the holder, renews and completes with both notes.
    let ann = app.signed_in(ANN).await;
    let page = ann.get(&format!("/admin/scheduled-sessions/{erin}")).await;
    page.assert_contains("Renew claim")
        .assert_contains("Release")
        .assert_contains("Mark as Completed")
        .assert_contains("Private notes (instructors only")
        .assert_contains("<label for=\"student_notes\"");
    ann.post(
        &format!("/admin/scheduled-sessions/{erin}/renew"),
        &[("csrf_token", &page.csrf()), ("return_to", "detail")],
    )
    .await
    .assert_redirect(&format!("/admin/scheduled-sessions/{erin}"));
    ann.post(
        &format!("/admin/scheduled-sessions/{erin}/complete"),
        &[
            ("csrf_token", &page.csrf()),
            ("notes", "Erin needs a nudge on caching."),
            ("student_notes", "Nice work on the error messages!"),
        ],
    )
    .await
    .assert_redirect("/admin");
    let done = ann.get(&format!("/admin/scheduled-sessions/{erin}")).await;
    done.assert_contains("Erin needs a nudge on caching.")
        .assert_contains("Nice work on the error messages!")
        .assert_contains("Renewed")
        .assert_contains("Completed")
        .assert_lacks("Mark as Completed");

    // Erin sees the notes meant for her, never the private ones.
    let student = app.signed_in(ERIN).await;
    student
        .get("/sessions")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Nice work on the error messages!")
        .assert_lacks("Erin needs a nudge on caching.");
}

#[tokio::test]
async fn the_claim_limit_is_a_422_saying_so() {
    let mut config = AppConfig::for_tests().expect("config");
    config.policy = Policy::default().with_max_live_claims(1).unwrap();
    let app = full_demo_with(config).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let dave = session_of(&app, DAVE).await;
    post_claim(&sensei, dave, "claim", "detail")
        .await
        .assert_redirect(&format!("/admin/scheduled-sessions/{dave}"));
    // Alice books, and sensei may not hold a second claim.
    let alice = app.signed_in(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    let token = alice.csrf_from(&format!("/submissions/{submission}")).await;
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::OK);
    let alices = session_of(&app, ALICE).await;
    post_claim(&sensei, alices, "claim", "dashboard")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Too many claims")
        .assert_contains("at most 1 at a time");
}

#[tokio::test]
async fn the_detail_page_shows_the_timeline_and_both_notes_of_a_completed_session() {
    let app = full_demo().await;
    let frank = session_of(&app, FRANK).await;
    let ann = app.signed_in(ANN).await;
    let page = ann.get(&format!("/admin/scheduled-sessions/{frank}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Timeline")
        .assert_contains("Booked")
        .assert_contains("→ Pending")
        .assert_contains("Pending → Claimed")
        .assert_contains("Claimed → Completed")
        .assert_contains(FRANK)
        .assert_contains(INSTRUCTOR)
        .assert_contains("with private notes and notes for the student")
        .assert_contains(FRANK_NOTES)
        .assert_contains(FRANK_STUDENT_NOTES)
        .assert_lacks("Mark as Completed");
    let grace = session_of(&app, GRACE).await;
    ann.get(&format!("/admin/scheduled-sessions/{grace}"))
        .await
        .assert_contains("Cancelled")
        .assert_contains(GRACE_REASON)
        .assert_contains("cannot be completed")
        .assert_lacks("Mark as Completed");
    // Claiming a closed session is a conflict.
    post_claim(&ann, grace, "claim", "detail")
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("Session closed");
}

#[tokio::test]
async fn the_history_lists_closed_sessions_with_filters_and_paging() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let history = sensei.get("/admin/history").await;
    history
        .assert_status(StatusCode::OK)
        .assert_contains(FRANK)
        .assert_contains(GRACE)
        .assert_contains(GRACE_REASON)
        .assert_lacks(DAVE)
        .assert_lacks(ERIN);
    sensei
        .get("/admin/history?state=completed")
        .await
        .assert_contains(FRANK)
        .assert_lacks(GRACE_REASON);
    sensei
        .get("/admin/history?state=cancelled&student=gra")
        .await
        .assert_contains(GRACE)
        .assert_lacks(FRANK);
    sensei
        .get("/admin/history?mine=1")
        .await
        .assert_contains(FRANK);
    app.signed_in(ANN)
        .await
        .get("/admin/history?mine=1")
        .await
        .assert_lacks(FRANK);
    let today = chrono::Utc::now().date_naive();
    sensei
        .get(&format!("/admin/history?from={today}&to={today}"))
        .await
        .assert_contains(FRANK);
    sensei
        .get("/admin/history?to=2000-01-01")
        .await
        .assert_lacks(FRANK);
    for bad in [
        "state=pending",
        "from=yesterday",
        "after=zzz",
        "challenge=x",
    ] {
        sensei
            .get(&format!("/admin/history?{bad}"))
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn students_see_only_their_own_sessions_never_private_notes_and_cancel_them() {
    let app = full_demo().await;
    let frank = app.signed_in(FRANK).await;
    let mine = frank.get("/sessions").await;
    mine.assert_status(StatusCode::OK)
        .assert_contains(FRANK_STUDENT_NOTES)
        .assert_lacks(FRANK_NOTES)
        .assert_lacks("Cancel this session");
    assert_eq!(mine.body.matches("class=\"panel session\"").count(), 1);
    let frank_session = session_of(&app, FRANK).await;
    // A completed session cannot be cancelled.
    frank
        .post(
            &format!("/sessions/{frank_session}/cancel"),
            &[("csrf_token", &mine.csrf()), ("reason", "")],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("Session closed");

    // Alice books, sees it open on her submission and her sessions page, and cancels it.
    let alice = app.signed_in(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    let token = alice.csrf_from(&format!("/submissions/{submission}")).await;
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::OK);
    alice
        .get(&format!("/submissions/{submission}"))
        .await
        .assert_contains("(pending): it is open")
        .assert_contains("href=\"/sessions\"");
    let alices = session_of(&app, ALICE).await;
    let page = alice.get("/sessions").await;
    page.assert_contains("Cancel this session")
        .assert_lacks(FRANK_STUDENT_NOTES);

    // Nobody else may cancel it: another student, an instructor (403).
    let bob = app.signed_in(BOB).await;
    bob.post(
        &format!("/sessions/{alices}/cancel"),
        &[("csrf_token", &bob.csrf_from("/sessions").await)],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .post(
            &format!("/sessions/{alices}/cancel"),
            &[("csrf_token", &sensei.csrf_from("/admin").await)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // A reason over 500 characters is refused, nothing changed.
    let long = "x".repeat(501);
    alice
        .post(
            &format!("/sessions/{alices}/cancel"),
            &[("csrf_token", &page.csrf()), ("reason", &long)],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Reason too long");
    alice
        .post(
            &format!("/sessions/{alices}/cancel"),
            &[("csrf_token", &page.csrf()), ("reason", "Solved it myself")],
        )
        .await
        .assert_redirect("/sessions");
    alice
        .get("/sessions")
        .await
        .assert_contains("Cancelled")
        .assert_contains("Solved it myself")
        .assert_lacks("Cancel this session");
    alice
        .post(
            &format!("/sessions/{alices}/cancel"),
            &[("csrf_token", &page.csrf())],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
    // The queue no longer has it, and she may book again.
    sensei.get("/admin").await.assert_lacks(ALICE);
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_status(StatusCode::OK)
        .assert_lacks("already scheduled");
}

#[tokio::test]
async fn the_new_routes_keep_the_access_rules_and_need_the_csrf_token() {
    let app = full_demo().await;
    let dave = session_of(&app, DAVE).await;
    // Anonymous: 303 to /login, for pages and forms.
    let anonymous = app.browser();
    for path in ["/admin/history", "/sessions"] {
        anonymous.get(path).await.assert_redirect("/login");
    }
    let token = anonymous.csrf_from("/login").await;
    for path in [
        format!("/admin/scheduled-sessions/{dave}/claim"),
        format!("/admin/scheduled-sessions/{dave}/renew"),
        format!("/admin/scheduled-sessions/{dave}/release"),
        format!("/sessions/{dave}/cancel"),
    ] {
        anonymous
            .post(&path, &[("csrf_token", &token)])
            .await
            .assert_redirect("/login");
    }
    // Students on instructor routes: 403; instructors on the student's page: 403.
    let carol = app.signed_in(CAROL).await;
    carol
        .get("/admin/history")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let carol_token = carol.csrf_from("/sessions").await;
    carol
        .post(
            &format!("/admin/scheduled-sessions/{dave}/claim"),
            &[("csrf_token", &carol_token)],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .get("/sessions")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Without the token, or with another session's: 403 and nothing changes.
    for fields in [vec![], vec![("csrf_token", token.as_str())]] {
        sensei
            .post(&format!("/admin/scheduled-sessions/{dave}/claim"), &fields)
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("Form expired");
    }
    let dave_student = app.signed_in(DAVE).await;
    dave_student
        .post(&format!("/sessions/{dave}/cancel"), &[("reason", "forged")])
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("Form expired");
    assert!(row_of(&sensei.get("/admin").await.body, DAVE).contains("/claim"));
    // Unknown and malformed ids.
    let sensei_token = sensei.csrf_from("/admin").await;
    sensei
        .post(
            "/admin/scheduled-sessions/99999/claim",
            &[("csrf_token", &sensei_token)],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    sensei
        .post(
            "/admin/scheduled-sessions/abc/claim",
            &[("csrf_token", &sensei_token)],
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    // Navigation links for both roles.
    sensei
        .get("/admin")
        .await
        .assert_contains("href=\"/admin/history\"");
    carol
        .get("/submissions")
        .await
        .assert_contains("href=\"/sessions\"");
}
