//! The calendar feed through the real router: the dashboard's "New calendar
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

/// A calendar app's reading of a feed, per RFC 5545: every line ends with CRLF and is at
/// most 75 octets; unfolded (each CRLF + space removed), each line is `NAME:value` with the
/// value unescaped (`\\`, `\;`, `\,`, `\n`). Panics on anything a strict reader refuses: a
/// bare CR or LF, an unescaped `;` or `,` in a text value, an unknown escape.
fn parse_feed(body: &str) -> Vec<(String, String)> {
    assert!(body.ends_with("\r\n"), "the feed ends with CRLF");
    let physical: Vec<&str> = body.split_terminator("\r\n").collect();
    for line in &physical {
        assert!(line.len() <= 75, "a line over 75 octets: {line:?}");
        assert!(!line.contains(['\r', '\n']), "a bare line break: {line:?}");
    }
    let mut logical: Vec<String> = Vec::new();
    for line in physical {
        match (line.strip_prefix(' '), logical.last_mut()) {
            (Some(rest), Some(previous)) => previous.push_str(rest),
            _ => logical.push(line.to_owned()),
        }
    }
    logical
        .iter()
        .map(|line| {
            let (name, value) = line.split_once(':').expect("NAME:value");
            (name.to_owned(), unescape(name, value))
        })
        .collect()
}

fn unescape(name: &str, value: &str) -> String {
    // URIs and dates are not TEXT; only the text properties are unescaped.
    if !["SUMMARY", "DESCRIPTION", "UID", "NAME", "X-WR-CALNAME"].contains(&name) {
        return value.to_owned();
    }
    let mut text = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => text.push('\n'),
                Some(escaped @ ('\\' | ';' | ',')) => text.push(escaped),
                other => panic!("bad escape {other:?} in {name}: {value:?}"),
            },
            ';' | ',' => panic!("unescaped {c:?} in {name}: {value:?}"),
            c => text.push(c),
        }
    }
    text
}

#[tokio::test]
async fn hostile_text_is_escaped_folded_and_reads_back_as_written() {
    let app = full_demo().await;
    let erin = session_of(&app, ERIN).await;
    // The platform owns challenge names: whatever it stores reaches the feed. A bare CR
    // followed by what would read as a property of its own, every special character, and
    // enough multi-octet text to need folds.
    let name = "Lists\rDTSTART:19700101T000000Z\r\nX;Y,Z\\n\\ ".to_owned() + &"日本語".repeat(20);
    let sql_name = name.replace('\r', "' || char(13) || '");
    app.execute_sql(&format!(
        "UPDATE challenges SET name = '{sql_name}' WHERE id = \
         (SELECT challenge_id FROM submissions WHERE id = \
          (SELECT submission_id FROM scheduled_sessions WHERE id = {erin}))"
    ));
    let ann = app.signed_in(ANN).await;
    let feed = app.browser().get(&new_link(&ann).await).await;
    feed.assert_status(StatusCode::OK);
    let lines = parse_feed(&feed.body);
    let starts: Vec<&str> = lines
        .iter()
        .filter(|(name, _)| name == "DTSTART")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(starts.len(), 1, "no injected property: {lines:?}");
    assert_ne!(starts[0], "19700101T000000Z");
    let summary = lines
        .iter()
        .find(|(name, _)| name == "SUMMARY")
        .map(|(_, value)| value.clone())
        .expect("a SUMMARY");
    let written = name.replace("\r\n", "\n").replace('\r', "\n");
    assert_eq!(summary, format!("Sensei session: {ERIN} – {written}"));
    let description = lines
        .iter()
        .find(|(name, _)| name == "DESCRIPTION")
        .map(|(_, value)| value.clone())
        .expect("a DESCRIPTION");
    assert!(description.contains(&written), "{description:?}");
}

#[tokio::test]
async fn a_feed_stops_answering_when_its_owner_is_no_longer_an_instructor() {
    let app = full_demo().await;
    let ann = app.signed_in(ANN).await;
    let feed = new_link(&ann).await;
    app.browser()
        .get(&feed)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(ERIN);

    app.execute_sql(&format!(
        "UPDATE users SET role = 'student' WHERE email = '{ANN}'"
    ));
    let demoted = app.browser().get(&feed).await;
    demoted
        .assert_status(StatusCode::NOT_FOUND)
        .assert_lacks("BEGIN:VCALENDAR")
        .assert_lacks(ERIN);
    // Exactly the answer of an address that was never a feed: nothing tells them apart.
    let unknown = app
        .browser()
        .get(&format!("/calendar/{}.ics", "0".repeat(64)))
        .await;
    assert_eq!(demoted.body, unknown.body);

    // Promoted again, the same link works again (it was never revoked, only refused).
    app.execute_sql(&format!(
        "UPDATE users SET role = 'instructor' WHERE email = '{ANN}'"
    ));
    app.browser().get(&feed).await.assert_status(StatusCode::OK);
}
