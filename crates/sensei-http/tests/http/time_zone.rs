//! Times on pages in the viewer's time zone: chosen on `/account/preferences` (CSRF-checked,
//! unknown names refused with nothing saved), kept per account across sign-ins, shown on
//! the dashboard, the session page (UTC beside it) and the student's pages; the API keeps UTC.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Tokyo;
use poem::http::StatusCode;
use sensei_http::demo::{ALICE, DAVE, INSTRUCTOR};

use crate::helpers::{Browser, Page};
use crate::workflow_pages::{full_demo, session_of};

async fn choose(browser: &Browser<'_>, zone: &str) -> Page {
    let token = browser.csrf_from("/account/preferences").await;
    browser
        .post(
            "/account/preferences",
            &[("csrf_token", token.as_str()), ("time_zone", zone)],
        )
        .await
}

fn utc_text(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn tokyo_text(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Tokyo)
        .format("%Y-%m-%d %H:%M JST")
        .to_string()
}

#[tokio::test]
async fn a_chosen_zone_shows_on_every_page_and_survives_a_new_sign_in() {
    let app = full_demo().await;
    let id = session_of(&app, DAVE).await;
    let scheduled = app
        .database
        .ports()
        .sessions
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .session
        .scheduled_at;

    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .get("/account/preferences")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Pages show times in <strong>UTC</strong>")
        .assert_contains("<option value=\"Asia/Tokyo\">");
    sensei
        .get("/admin")
        .await
        .assert_contains(&utc_text(&scheduled));

    let saved = choose(&sensei, "asia/tokyo").await;
    saved.assert_redirect("/account/preferences");
    sensei
        .get("/account/preferences")
        .await
        .assert_contains("Times are now shown in Asia/Tokyo.")
        .assert_contains("<option value=\"Asia/Tokyo\" selected>");

    sensei
        .get("/admin")
        .await
        .assert_contains(&tokyo_text(&scheduled))
        .assert_lacks(&utc_text(&scheduled));
    let detail = sensei.get(&format!("/admin/scheduled-sessions/{id}")).await;
    detail.assert_contains(&tokyo_text(&scheduled));
    assert!(
        detail
            .body
            .contains(&format!("{} UTC)", scheduled.format("%H:%M")))
            || detail.body.contains(&format!("({})", utc_text(&scheduled))),
        "UTC beside the booking time on the session page"
    );

    // The API keeps UTC whatever the pages show.
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let reply = app
        .send(crate::helpers::Call::get(format!("/api/v1/scheduled-sessions/{id}")).cookie(&cookie))
        .await;
    let body = reply.expect(StatusCode::OK).to_string();
    assert!(!body.contains("JST"), "{body}");

    // A new browser of the same account reads the choice from the store.
    let later = app.signed_in(INSTRUCTOR).await;
    later
        .get("/admin")
        .await
        .assert_contains(&tokyo_text(&scheduled));

    // Someone else keeps UTC; blank goes back to UTC.
    let student = app.signed_in(DAVE).await;
    student
        .get("/sessions")
        .await
        .assert_contains(&utc_text(&scheduled));
    choose(&later, "")
        .await
        .assert_redirect("/account/preferences");
    later
        .get("/admin")
        .await
        .assert_contains(&utc_text(&scheduled));
}

#[tokio::test]
async fn an_unknown_zone_is_refused_and_the_form_needs_its_csrf_token() {
    let app = full_demo().await;
    let student = app.signed_in(ALICE).await;
    for hostile in [
        "Mars/Olympus_Mons",
        "Europe/Berlin\r\nSet-Cookie: a=b",
        "<script>",
    ] {
        let refused = choose(&student, hostile).await;
        refused.assert_status(StatusCode::BAD_REQUEST);
        refused
            .assert_contains("is not a time zone")
            .assert_lacks("<script>");
    }
    student
        .get("/account/preferences")
        .await
        .assert_contains("Pages show times in <strong>UTC</strong>");

    let forged = student
        .post("/account/preferences", &[("time_zone", "Asia/Tokyo")])
        .await;
    forged.assert_status(StatusCode::FORBIDDEN);
    student
        .get("/account/preferences")
        .await
        .assert_contains("Pages show times in <strong>UTC</strong>");

    let anonymous = app.browser();
    anonymous
        .get("/account/preferences")
        .await
        .assert_redirect("/login");
}

#[tokio::test]
async fn a_meeting_time_typed_on_the_claim_form_is_read_in_the_instructors_zone() {
    let app = crate::helpers::TestApp::spawn().await;
    let id = crate::email::book(&app, ALICE).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    choose(&sensei, "Asia/Tokyo")
        .await
        .assert_redirect("/account/preferences");
    let page_path = format!("/admin/scheduled-sessions/{id}");
    let page = sensei.get(&page_path).await;
    page.assert_contains("Meeting time, Asia/Tokyo (optional)");
    sensei
        .post(
            &format!("{page_path}/claim"),
            &[
                ("csrf_token", page.csrf().as_str()),
                ("meeting_link", "https://meet.example.org/sensei"),
                ("meeting_at", "2026-12-20T19:00"),
            ],
        )
        .await
        .assert_redirect(&page_path);
    // 19:00 in Tokyo is 10:00 UTC: the student (in UTC) reads that.
    app.signed_in(ALICE)
        .await
        .get("/sessions")
        .await
        .assert_contains("2026-12-20 10:00 UTC");
}
