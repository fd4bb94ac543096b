//! A student's place in line and expected wait, on "My sessions", on the submission page and
//! in `GET /api/v1/me/scheduled-sessions`: first come, first served among pending sessions,
//! moving up when an earlier session is claimed.

use crate::helpers::{Call, TestApp, API};
use crate::workflow_pages::{full_demo, session_of};
use poem::http::StatusCode;
use sensei_http::demo::{ALICE, BOB, DAVE, ERIN, INSTRUCTOR};
use serde_json::Value;

/// The `queue` object of the student's latest session in the API.
async fn latest_queue(app: &TestApp, cookie: &str) -> Value {
    let mine = app
        .send(Call::get(format!("{API}/me/scheduled-sessions")).cookie(cookie))
        .await;
    mine.expect(StatusCode::OK)["items"][0]["queue"].clone()
}

#[tokio::test]
async fn a_pending_session_has_a_place_that_moves_up_when_an_earlier_one_is_claimed() {
    let app = full_demo().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let bob = app.sign_in_through_api(BOB).await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    app.book(&alice, app.submission_of(ALICE).await)
        .await
        .expect(StatusCode::CREATED);
    app.book(&bob, app.submission_of(BOB).await)
        .await
        .expect(StatusCode::CREATED);

    // dave's demo session was booked before both: alice waits behind it, bob behind both.
    let alice_place = latest_queue(&app, &alice).await;
    let bob_place = latest_queue(&app, &bob).await;
    assert_eq!(alice_place["status"], "waiting");
    let alice_position = alice_place["position"].as_u64().unwrap();
    assert!(alice_position >= 2, "{alice_place}");
    assert_eq!(bob_place["position"].as_u64().unwrap(), alice_position + 1);
    // The demo has no history to learn from: no estimate, and the API says so.
    assert_eq!(bob_place["summary"], "no estimate yet");
    assert!(bob_place.get("estimated_wait_minutes").is_none());

    // Claiming dave's session moves both up by one; alice's own claim takes her out of line.
    let dave = session_of(&app, DAVE).await;
    app.send(Call::post(format!("{API}/scheduled-sessions/{dave}/claim")).cookie(&sensei))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        latest_queue(&app, &bob).await["position"].as_u64().unwrap(),
        alice_position
    );
    let alice_session = session_of(&app, ALICE).await;
    app.send(Call::post(format!("{API}/scheduled-sessions/{alice_session}/claim")).cookie(&sensei))
        .await
        .expect(StatusCode::OK);
    let alice_place = latest_queue(&app, &alice).await;
    assert_eq!(alice_place["status"], "with_instructor");
    assert!(alice_place.get("position").is_none(), "{alice_place}");
    assert_eq!(alice_place["summary"], "an instructor has it");
    assert_eq!(
        latest_queue(&app, &bob).await["position"].as_u64().unwrap(),
        alice_position - 1
    );
}

#[tokio::test]
async fn the_pages_show_the_place_and_the_wait_and_closed_sessions_show_none() {
    let app = full_demo().await;
    let alice = app.signed_in(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    let form = alice.get(&format!("/submissions/{submission}")).await;
    alice
        .post(
            &format!("/submissions/{submission}/schedule"),
            &[("csrf_token", &form.csrf())],
        )
        .await;

    let page = alice.get("/sessions").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Place in line")
        .assert_contains("in line</dd>")
        .assert_contains("Expected wait")
        .assert_contains("no estimate yet")
        // The page goes live with script, and is complete without it.
        .assert_contains("data-live-stream=\"/api/v1/events\"");
    alice
        .get(&format!("/submissions/{submission}"))
        .await
        .assert_contains("Place in line")
        .assert_contains("Expected wait");

    // erin's session is held: she is told an instructor has it, with no wait.
    let erin = app.signed_in(ERIN).await;
    erin.get("/sessions")
        .await
        .assert_contains("An instructor has it")
        .assert_lacks("Expected wait");
}
