//! The paper cuts a newcomer hit, on the pages: the `Pending scheduled sessions` card counts
//! pending sessions only (a lapsed claim is pending again), every claim, release, completion
//! and cancellation is confirmed once on the page the form leads to, and a signed-in user's
//! "not found" page keeps the header.

use crate::helpers::{Browser, Page};
use crate::workflow_pages::{full_demo, session_of};
use chrono::{Duration, Utc};
use poem::http::StatusCode;
use sensei_core::{SessionQuery, StatusFilter};
use sensei_http::demo::{ALICE, DAVE, ERIN, INSTRUCTOR};

/// The number on the dashboard card labelled `label`.
fn card(page: &Page, label: &str) -> u64 {
    let end = page
        .body
        .find(&format!("<p class=\"stat-label\">{label}</p>"))
        .unwrap_or_else(|| panic!("the {label} card in {}", page.body));
    let value_end = page.body[..end]
        .rfind("</p>")
        .unwrap_or_else(|| panic!("a value before {label}"));
    let value_start = page.body[..value_end]
        .rfind('>')
        .unwrap_or_else(|| panic!("a value before {label}"));
    page.body[value_start + 1..value_end]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a number on the {label} card"))
}

/// The flash messages on a page.
fn flashes(page: &Page) -> Vec<&str> {
    page.body
        .split("<p role=\"status\" class=\"flash\">")
        .skip(1)
        .filter_map(|rest| rest.split("</p>").next())
        .collect()
}

async fn post_form(browser: &Browser<'_>, from: &str, to: &str, fields: &[(&str, &str)]) -> Page {
    let token = browser.csrf_from(from).await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    browser.post(to, &all).await
}

#[tokio::test]
async fn the_pending_card_counts_pending_sessions_only_and_lapsed_claims_as_pending() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let pending_in_store = || async {
        app.database
            .ports()
            .sessions
            .count(&SessionQuery {
                status: StatusFilter::Pending,
                as_of: Some(Utc::now()),
                ..SessionQuery::default()
            })
            .await
            .unwrap()
    };
    let open_in_store = app
        .database
        .ports()
        .sessions
        .count(&SessionQuery {
            status: StatusFilter::Open,
            ..SessionQuery::default()
        })
        .await
        .unwrap();
    // The demo has erin's session claimed by ann: one open session is not pending.
    let first = card(&sensei.get("/admin").await, "Pending scheduled sessions");
    assert_eq!(first, pending_in_store().await);
    assert_eq!(first + 1, open_in_store);

    // A claim takes one off the card.
    let dave = session_of(&app, DAVE).await;
    post_form(
        &sensei,
        "/admin",
        &format!("/admin/scheduled-sessions/{dave}/claim"),
        &[("return_to", "dashboard")],
    )
    .await
    .assert_redirect("/admin");
    let claimed = card(&sensei.get("/admin").await, "Pending scheduled sessions");
    assert_eq!(claimed, first - 1);

    // Ann's claim on erin's session lapses with no write by the service: pending again.
    let erin = session_of(&app, ERIN).await;
    let lapsed = (Utc::now() - Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%.6f");
    app.execute_sql(&format!(
        "UPDATE scheduled_sessions SET claim_expires_at = '{lapsed}' WHERE id = {erin}"
    ));
    let after_lapse = card(&sensei.get("/admin").await, "Pending scheduled sessions");
    assert_eq!(after_lapse, claimed + 1);
    assert_eq!(after_lapse, pending_in_store().await);
}

#[tokio::test]
async fn claim_release_renew_and_complete_are_confirmed_once() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let dave = session_of(&app, DAVE).await;
    let detail = format!("/admin/scheduled-sessions/{dave}");

    post_form(
        &sensei,
        "/admin",
        &format!("{detail}/claim"),
        &[("return_to", "dashboard")],
    )
    .await
    .assert_redirect("/admin");
    let shown = sensei.get("/admin").await;
    let messages = flashes(&shown);
    assert_eq!(messages.len(), 1, "{}", shown.body);
    assert!(
        messages[0].starts_with(&format!("You claimed session {dave} until ")),
        "{messages:?}"
    );
    assert!(messages[0].ends_with(" UTC."), "{messages:?}");
    // Shown once: the next load has none.
    assert!(flashes(&sensei.get("/admin").await).is_empty());

    post_form(&sensei, &detail, &format!("{detail}/renew"), &[])
        .await
        .assert_redirect(&detail);
    let renewed = sensei.get(&detail).await;
    assert!(
        flashes(&renewed)[0]
            .starts_with(&format!("You renewed your claim on session {dave} until")),
        "{}",
        renewed.body
    );

    post_form(&sensei, &detail, &format!("{detail}/release"), &[])
        .await
        .assert_redirect(&detail);
    assert_eq!(
        flashes(&sensei.get(&detail).await),
        [format!("Session {dave} released: it is pending again.")]
    );

    post_form(&sensei, &detail, &format!("{detail}/claim"), &[]).await;
    sensei.get(&detail).await;
    post_form(
        &sensei,
        &detail,
        &format!("{detail}/complete"),
        &[("notes", ""), ("student_notes", "")],
    )
    .await
    .assert_redirect("/admin");
    assert_eq!(
        flashes(&sensei.get("/admin").await),
        [format!("Session {dave} completed.")]
    );
    assert!(flashes(&sensei.get("/admin").await).is_empty());

    // A refused form sets nothing: the error page says why, and no confirmation follows.
    post_form(&sensei, "/admin", &format!("{detail}/release"), &[])
        .await
        .assert_status(StatusCode::CONFLICT);
    assert!(flashes(&sensei.get("/admin").await).is_empty());
}

#[tokio::test]
async fn a_students_cancellation_is_confirmed_once() {
    let app = full_demo().await;
    let alice = app.signed_in(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    post_form(
        &alice,
        &format!("/submissions/{submission}"),
        &format!("/submissions/{submission}/schedule"),
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let id = session_of(&app, ALICE).await;
    post_form(
        &alice,
        "/sessions",
        &format!("/sessions/{id}/cancel"),
        &[("reason", "")],
    )
    .await
    .assert_redirect("/sessions");
    assert_eq!(
        flashes(&alice.get("/sessions").await),
        ["Session cancelled."]
    );
    assert!(flashes(&alice.get("/sessions").await).is_empty());
}

#[tokio::test]
async fn a_signed_in_not_found_page_keeps_the_header() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    for path in ["/no-such-page", "/admin/scheduled-sessions/99999"] {
        let page = sensei.get(path).await;
        page.assert_status(StatusCode::NOT_FOUND)
            .assert_contains("<nav aria-label=\"Main\">")
            .assert_contains(&format!("Signed in as {INSTRUCTOR}"))
            .assert_contains("href=\"/admin\">Dashboard</a>");
    }
    // The sign-out form on it works: its token is the session's.
    let page = sensei.get("/no-such-page").await;
    sensei
        .post("/logout", &[("csrf_token", &page.csrf())])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    // Anonymous visitors get the page without a header.
    app.browser()
        .get("/no-such-page")
        .await
        .assert_status(StatusCode::NOT_FOUND)
        .assert_lacks("aria-label=\"Main\"");
    // The API keeps its JSON errors.
    let api = sensei.get("/api/v1/no-such-thing").await;
    api.assert_status(StatusCode::NOT_FOUND);
    assert!(
        api.content_type
            .as_deref()
            .is_some_and(|kind| kind.starts_with("application/")),
        "{:?}",
        api.content_type
    );
}
