//! Email to students through the real service and its email worker, into a loopback SMTP
//! sink: one email to the student per booking, claim (with the meeting link), completion and
//! cancellation, each plain text and HTML with people's text escaped; no header reachable from
//! any field; bookings that succeed while the SMTP server is down and mail that arrives when
//! it is back; the opt-out link; the password reset by email.

use std::time::Duration;

use poem::http::StatusCode;
use sensei_core::Actor;
use sensei_http::demo::{ALICE, BOB, DEMO_PASSWORD, INSTRUCTOR};
use sensei_http::email::{EmailSettings, SmtpUrl};
use sensei_http::{AppConfig, Application};

use crate::helpers::{Call, TestApp, API};
use crate::smtp_sink::{closed_address, Mail, SmtpSink};

fn config(smtp_url: &str) -> AppConfig {
    AppConfig {
        email: EmailSettings {
            smtp_url: Some(SmtpUrl::parse(smtp_url).unwrap()),
            public_url: "http://sensei.test".to_owned(),
            concurrency: 2,
            timeout: Duration::from_secs(2),
            poll_interval: Duration::from_millis(50),
            retry_base: Duration::from_millis(100),
            ..EmailSettings::default()
        },
        ..AppConfig::for_tests().unwrap()
    }
}

/// The router over a demo database with email on, and the real service (with its email
/// worker) over the same database.
async fn serve(smtp_url: &str) -> TestApp {
    let config = config(smtp_url);
    let app = TestApp::spawn_with(config.clone()).await;
    let server = Application::build(config, app.database.clone())
        .await
        .unwrap();
    tokio::spawn(server.run_until(std::future::pending()));
    app
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    mails
        .iter()
        .map(|mail| mail.header("Subject").unwrap_or_default())
        .collect()
}

/// Books `student`'s demo submission through the API; the session's id.
pub async fn book(app: &TestApp, student: &str) -> i64 {
    let cookie = app.sign_in_through_api(student).await;
    let submission = app.submission_of(student).await;
    let reply = app.book(&cookie, submission).await;
    assert!(
        reply.status == StatusCode::CREATED || reply.status == StatusCode::OK,
        "{}",
        reply.text
    );
    reply.json["session"]["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_claim_completion_and_cancellation_each_email_the_student_once() {
    let sink = SmtpSink::start().await;
    let app = serve(&sink.url()).await;
    let id = book(&app, ALICE).await;
    let mails = sink.wait_for(1).await;
    let receipt = &mails[0];
    assert_eq!(receipt.recipients, [ALICE]);
    assert!(receipt
        .header("Subject")
        .unwrap()
        .starts_with("Sensei session booked"));
    assert!(receipt
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    let unsubscribe = receipt.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<http://sensei.test/unsubscribe/"),
        "{unsubscribe}"
    );
    assert!(receipt.part("text/plain").unwrap().contains("is booked"));
    assert!(receipt.part("text/html").unwrap().contains("is booked"));

    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let link = "https://meet.example.org/room?a=1&b=2";
    let reply = app
        .send(
            Call::post(format!(
                "{API}/scheduled-sessions/{id}/claim?meeting_link=https%3A%2F%2Fmeet.example.org%2Froom%3Fa%3D1%26b%3D2&meeting_at=2026-12-08T14%3A30"
            ))
            .cookie(&instructor),
        )
        .await;
    reply.expect(StatusCode::OK);
    let mails = sink.wait_for(2).await;
    let claim = &mails[1];
    assert!(claim
        .header("Subject")
        .unwrap()
        .starts_with("An instructor is on it"));
    let text = claim.part("text/plain").unwrap();
    assert!(text.contains(&format!("Meeting link: {link}")), "{text}");
    assert!(
        text.contains("Meeting time: 2026-12-08 14:30 UTC"),
        "{text}"
    );
    assert!(text.contains(INSTRUCTOR), "{text}");
    let html = claim.part("text/html").unwrap();
    assert!(
        html.contains("href=\"https://meet.example.org/room?a=1&#38;b=2\""),
        "{html}"
    );
    let alice_pages = app.signed_in(ALICE).await;
    let page = alice_pages.get("/sessions").await;
    page.assert_contains("https://meet.example.org/room?a=1&#38;b=2");
    let submission = app.submission_of(ALICE).await;
    let page = alice_pages.get(&format!("/submissions/{submission}")).await;
    page.assert_contains("https://meet.example.org/room?a=1&#38;b=2");

    let sensei = Actor::instructor(app.user_id(INSTRUCTOR).await);
    app.state
        .service
        .complete_with_notes(
            sensei,
            sensei_core::ScheduledSessionId(i32::try_from(id).unwrap()),
            "private",
            "<b>Great</b> work & more",
        )
        .await
        .unwrap();
    let mails = sink.wait_for(3).await;
    let done = &mails[2];
    assert!(done
        .part("text/plain")
        .unwrap()
        .contains("<b>Great</b> work & more"));
    let html = done.part("text/html").unwrap();
    assert!(
        html.contains("&#60;b&#62;Great&#60;/b&#62; work &#38; more"),
        "{html}"
    );
    assert!(!html.contains("<b>Great"), "escaped in HTML");
    assert!(
        !done.raw.contains("private"),
        "private notes never reach the student"
    );

    // Completed sessions count as recent bookings: Bob books and cancels.
    let again = book(&app, BOB).await;
    let cookie = app.sign_in_through_api(BOB).await;
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/{again}/cancellation"),
            &serde_json::json!({"reason": "found the bug myself"}),
        )
        .cookie(&cookie),
    )
    .await
    .expect(StatusCode::OK);
    let mails = sink.wait_for(5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = if sink.mails().len() > mails.len() {
        sink.mails()
    } else {
        mails
    };
    assert_eq!(
        mails.len(),
        5,
        "one email per event: {:?}",
        subjects(&mails)
    );
    let to_alice = mails
        .iter()
        .filter(|mail| mail.recipients == [ALICE])
        .count();
    let to_bob = mails.iter().filter(|mail| mail.recipients == [BOB]).count();
    assert_eq!((to_alice, to_bob), (3, 2), "{:?}", subjects(&mails));
    let cancelled = mails
        .iter()
        .find(|mail| {
            mail.header("Subject")
                .unwrap()
                .starts_with("Sensei session cancelled")
        })
        .unwrap();
    assert!(cancelled
        .part("text/plain")
        .unwrap()
        .contains("Reason given: found the bug myself"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_injection_attempt_in_any_field_reaches_no_header() {
    let sink = SmtpSink::start().await;
    let app = serve(&sink.url()).await;
    let evil = "\r\nBcc: evil@example.org\r\nX-Evil: 1";
    app.execute_sql(
        "UPDATE challenges SET name = name || char(13) || char(10) || 'Bcc: evil@example.org'",
    );
    let id = book(&app, ALICE).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let refused = app
        .send(
            Call::post(format!(
                "{API}/scheduled-sessions/{id}/claim?meeting_link=https%3A%2F%2Fa.org%2F%0D%0ABcc%3A%20evil%40example.org"
            ))
            .cookie(&instructor),
        )
        .await;
    refused.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_meeting");
    let session = sensei_core::ScheduledSessionId(i32::try_from(id).unwrap());
    let sensei = Actor::instructor(app.user_id(INSTRUCTOR).await);
    app.state.service.claim(sensei, session).await.unwrap();
    app.state
        .service
        .complete_with_notes(sensei, session, "", &format!("notes{evil}"))
        .await
        .unwrap();
    let again = book(&app, BOB).await;
    let bob = Actor::student(app.user_id(BOB).await);
    app.state
        .service
        .cancel(
            bob,
            sensei_core::ScheduledSessionId(i32::try_from(again).unwrap()),
            &format!("reason{evil}"),
        )
        .await
        .unwrap();
    let mails = sink.wait_for(5).await;
    for mail in &mails {
        assert_eq!(mail.recipients.len(), 1, "no extra envelope recipient");
        assert!(!mail.recipients[0].contains("evil"));
        for line in mail.headers() {
            let lower = line.to_ascii_lowercase();
            assert!(!lower.starts_with("bcc:"), "a Bcc header: {line:?}");
            assert!(!lower.starts_with("x-evil"), "an injected header: {line:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_smtp_server_down_bookings_succeed_and_mail_arrives_when_it_returns() {
    let address = closed_address().await;
    let app = serve(&format!("smtp://{address}")).await;
    book(&app, ALICE).await;
    // Let a few attempts fail against the closed port.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let sink = SmtpSink::start_on(&address.to_string()).await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].recipients, [ALICE]);
}

/// The secret of a link `prefix` in a text part.
fn secret_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text:?}"))
        + prefix.len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opted_out_student_gets_no_more_session_emails() {
    let sink = SmtpSink::start().await;
    let app = serve(&sink.url()).await;
    let id = book(&app, ALICE).await;
    let receipt = sink.wait_for(1).await.remove(0);
    let secret = secret_after(&receipt.part("text/plain").unwrap(), "/unsubscribe/");
    let browser = app.browser();
    let form = browser.get(&format!("/unsubscribe/{secret}")).await;
    form.assert_status(StatusCode::OK)
        .assert_contains("Stop emails about my sessions");
    browser
        .post(&format!("/unsubscribe/{}", "0".repeat(64)), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    browser
        .post(&format!("/unsubscribe/{secret}"), &[])
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("no more session emails");
    let alice = Actor::student(app.user_id(ALICE).await);
    app.state
        .service
        .cancel(
            alice,
            sensei_core::ScheduledSessionId(i32::try_from(id).unwrap()),
            "",
        )
        .await
        .unwrap();
    // Bob's booking comes after Alice's cancellation in the outbox: once his receipt is in,
    // her cancellation was handled (and skipped).
    book(&app, BOB).await;
    let mails = sink.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.mails().len(), 2, "{:?}", subjects(&sink.mails()));
    assert_eq!(mails[1].recipients, [BOB]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_resets_their_password_with_an_emailed_link_once() {
    let sink = SmtpSink::start().await;
    let app = serve(&sink.url()).await;
    let browser = app.browser();
    browser
        .get("/login")
        .await
        .assert_contains("href=\"/password-reset\"");
    let token = browser.csrf_from("/password-reset").await;
    let unknown = browser
        .post(
            "/password-reset",
            &[("csrf_token", &token), ("email", "nobody@example.org")],
        )
        .await;
    unknown.assert_status(StatusCode::OK);
    let known = browser
        .post(
            "/password-reset",
            &[("csrf_token", &token), ("email", ALICE)],
        )
        .await;
    known.assert_status(StatusCode::OK);
    assert_eq!(unknown.body, known.body, "the same answer either way");
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].recipients, [ALICE]);
    assert!(mails[0].header("List-Unsubscribe").is_none());
    let secret = secret_after(&mails[0].part("text/plain").unwrap(), "/password-reset/");
    let path = format!("/password-reset/{secret}");
    browser
        .get(&path)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("New password");
    browser
        .post(&path, &[("csrf_token", &token), ("password", "short")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    browser
        .post(
            &path,
            &[
                ("csrf_token", &token),
                ("password", "a brand new pass phrase"),
            ],
        )
        .await
        .assert_status(StatusCode::OK);
    browser
        .post(
            &path,
            &[("csrf_token", &token), ("password", "another pass phrase")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let old = app
        .send(Call::post_json(
            format!("{API}/session"),
            &serde_json::json!({"email": ALICE, "password": DEMO_PASSWORD}),
        ))
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .send(Call::post_json(
            format!("{API}/session"),
            &serde_json::json!({"email": ALICE, "password": "a brand new pass phrase"}),
        ))
        .await;
    new.expect(StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_form_takes_meeting_details_for_the_calendar_feed_and_refuses_bad_links() {
    let app = TestApp::spawn().await;
    let id = book(&app, ALICE).await;
    let instructor = app.signed_in(INSTRUCTOR).await;
    let page_path = format!("/admin/scheduled-sessions/{id}");
    let token = instructor.csrf_from(&page_path).await;
    instructor
        .get(&page_path)
        .await
        .assert_contains("name=\"meeting_link\"");
    let claim = format!("{page_path}/claim");
    instructor
        .post(
            &claim,
            &[
                ("csrf_token", &token),
                ("meeting_link", "javascript:alert(1)"),
                ("meeting_at", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("https://");
    instructor
        .post(
            &claim,
            &[
                ("csrf_token", &token),
                ("meeting_link", "https://meet.example.org/sensei"),
                ("meeting_at", "2026-12-08T09:30"),
            ],
        )
        .await
        .assert_redirect(&page_path);
    let sensei = Actor::instructor(app.user_id(INSTRUCTOR).await);
    let feed = app.state.calendar.new_link(sensei).await.unwrap();
    let ics = app
        .browser()
        .get(&format!("/calendar/{}.ics", feed.as_str()))
        .await;
    ics.assert_status(StatusCode::OK);
    let unfolded = ics.body.replace("\r\n ", "");
    assert!(
        unfolded.contains("\r\nLOCATION:https://meet.example.org/sensei\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Meeting at 2026-12-08 09:30"),
        "{unfolded}"
    );
}
