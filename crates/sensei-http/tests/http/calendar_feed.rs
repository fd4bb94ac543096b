//! The calendar feed through the real router (SPEC §5.7): the dashboard's "New calendar
//! link" form (CSRF, instructors only), the feed listing exactly the holder's live claims as
//! iCalendar, a replaced or unknown address answering 404. Over the full demo: ann holds a
//! claim on erin's session, dave's is pending.

use poem::http::StatusCode;
use sensei_http::demo::{ALICE, ANN, DAVE, ERIN, INSTRUCTOR};

use crate::helpers::{Browser, TestApp};
use crate::workflow_pages::{full_demo, session_of};

/// Presses "New calendar link" on the dashboard; returns the feed's path (`/calendar/...`).
async fn new_link(browser: &Browser<'_>) -> String {
    let token = browser.csrf_from("/admin").await;
    let page = browser
        .post("/admin/calendar-link", &[("csrf_token", &token)])
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Your calendar link");
    let start = page.body.find("http://").expect("the feed's address");
    let url = &page.body[start..];
    let url = &url[..url.find('"').unwrap()];
    let path = url
        .split_once("/calendar/")
        .map(|(_, rest)| format!("/calendar/{rest}"))
        .unwrap();
    assert!(path.ends_with(".ics"), "{path}");
    path
}

fn feed_count(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::{Connection, RunQueryDsl};
    let mut conn =
        diesel::SqliteConnection::establish(&app.sqlite_path().display().to_string()).unwrap();
    diesel::sql_query("SELECT COUNT(*) AS n FROM calendar_feeds")
        .load::<Count>(&mut conn)
        .unwrap()[0]
        .n
}

/// The UIDs of a feed's events, in order.
fn uids(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|line| line.strip_prefix("UID:"))
        .map(|uid| uid.trim_end().to_owned())
        .collect()
}

fn uid_of(id: sensei_core::ScheduledSessionId) -> String {
    format!("scheduled-session-{id}@sensei-scheduling")
}

#[tokio::test]
async fn the_dashboard_offers_a_new_link_and_the_feed_lists_exactly_the_holders_claims() {
    let app = full_demo().await;
    let ann = app.signed_in(ANN).await;
    ann.get("/admin")
        .await
        .assert_contains("action=\"/admin/calendar-link\"")
        .assert_contains("New calendar link");
    let ann_feed = new_link(&ann).await;

    // The feed needs no cookie: a calendar app has none.
    let feed = app.browser().get(&ann_feed).await;
    feed.assert_status(StatusCode::OK);
    assert_eq!(
        feed.content_type.as_deref(),
        Some("text/calendar; charset=utf-8")
    );
    assert!(
        feed.body.starts_with("BEGIN:VCALENDAR\r\n"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("VERSION:2.0\r\n"));
    assert!(feed.body.trim_end().ends_with("END:VCALENDAR"));
    let erin = session_of(&app, ERIN).await;
    assert_eq!(uids(&feed.body), vec![uid_of(erin)]);
    assert!(feed.body.contains(ERIN));
    assert!(feed.body.contains("DTSTART:") && feed.body.contains("DTEND:"));

    // sensei claims dave's session: his feed lists it, ann's does not.
    let dave = session_of(&app, DAVE).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let token = sensei.csrf_from("/admin").await;
    sensei
        .post(
            &format!("/admin/scheduled-sessions/{dave}/claim"),
            &[("csrf_token", &token), ("return_to", "dashboard")],
        )
        .await
        .assert_redirect("/admin");
    let sensei_feed = new_link(&sensei).await;
    assert_eq!(
        uids(&app.browser().get(&sensei_feed).await.body),
        vec![uid_of(dave)]
    );
    assert_eq!(
        uids(&app.browser().get(&ann_feed).await.body),
        vec![uid_of(erin)]
    );

    // Released: gone from the feed at the next read.
    let token = sensei.csrf_from("/admin").await;
    sensei
        .post(
            &format!("/admin/scheduled-sessions/{dave}/release"),
            &[("csrf_token", &token), ("return_to", "dashboard")],
        )
        .await
        .assert_redirect("/admin");
    assert!(uids(&app.browser().get(&sensei_feed).await.body).is_empty());
}

#[tokio::test]
async fn a_new_link_revokes_the_old_one() {
    let app = full_demo().await;
    let ann = app.signed_in(ANN).await;
    let first = new_link(&ann).await;
    let second = new_link(&ann).await;
    assert_ne!(first, second);
    app.browser()
        .get(&first)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.browser()
        .get(&second)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(feed_count(&app), 1);
}

#[tokio::test]
async fn unknown_and_malformed_feed_addresses_answer_404() {
    let app = full_demo().await;
    let ann = app.signed_in(ANN).await;
    let real = new_link(&ann).await;
    let token = real
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics")
        .to_owned();
    for path in [
        format!("/calendar/{}.ics", "0".repeat(64)),
        format!("/calendar/{token}"),
        format!("/calendar/{token}.ical"),
        format!("/calendar/{}.ics", token.to_uppercase()),
        format!("/calendar/{}.ics", &token[1..]),
        "/calendar/x.ics".to_owned(),
    ] {
        app.browser()
            .get(&path)
            .await
            .assert_status(StatusCode::NOT_FOUND)
            .assert_lacks("BEGIN:VCALENDAR");
    }
}

#[tokio::test]
async fn a_new_link_needs_the_forms_csrf_token_and_an_instructor() {
    let app = full_demo().await;
    let ann = app.signed_in(ANN).await;
    ann.post("/admin/calendar-link", &[])
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_lacks("/calendar/");
    ann.post("/admin/calendar-link", &[("csrf_token", "forged")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(feed_count(&app), 0);

    let alice = app.signed_in(ALICE).await;
    let token = alice.csrf_from("/submissions").await;
    alice
        .post("/admin/calendar-link", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_lacks("/calendar/");
    assert_eq!(feed_count(&app), 0);

    app.browser()
        .post("/admin/calendar-link", &[("csrf_token", "x")])
        .await
        .assert_redirect("/login");
    assert_eq!(feed_count(&app), 0);
}
