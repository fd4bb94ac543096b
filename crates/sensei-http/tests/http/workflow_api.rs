//! The instructor workflow in the JSON API: claim, renew, release, completion with both
//! notes, cancellation, timelines, history and the student's own lists, with the same rules
//! as the pages; students never receive private notes.

use crate::helpers::{Call, TestApp, API};
use crate::workflow_pages::{full_demo, full_demo_with, session_of};
use poem::http::StatusCode;
use sensei_core::Policy;
use sensei_http::demo::{
    ALICE, ANN, BOB, CAROL, DAVE, ERIN, FRANK, FRANK_NOTES, FRANK_STUDENT_NOTES, GRACE,
    GRACE_REASON, INSTRUCTOR,
};
use sensei_http::AppConfig;
use serde_json::{json, Value};

fn has_no_private_notes(value: &Value) {
    let text = value.to_string();
    assert!(!text.contains("\"notes\""), "private notes leaked: {text}");
    assert!(!text.contains(FRANK_NOTES), "private notes leaked: {text}");
}

#[tokio::test]
async fn claims_conflicts_renewals_releases_and_the_limit() {
    let mut config = AppConfig::for_tests().expect("config");
    config.policy = Policy::default().with_max_live_claims(1).unwrap();
    let app = full_demo_with(config).await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    let dave = session_of(&app, DAVE).await;
    let erin = session_of(&app, ERIN).await;
    let path = |id: &dyn std::fmt::Display, action: &str| {
        format!("{API}/scheduled-sessions/{id}/{action}")
    };

    let claimed = app
        .send(Call::post(path(&dave, "claim")).cookie(&sensei))
        .await;
    let body = claimed.expect(StatusCode::OK);
    assert_eq!(body["status"], "claimed");
    assert_eq!(body["claimed_by"], app.user_id(INSTRUCTOR).await.get());
    let first_expiry = body["claim_expires_at"].as_str().unwrap().to_owned();
    let renewed = app
        .send(Call::post(path(&dave, "renew")).cookie(&sensei))
        .await;
    assert!(
        renewed.expect(StatusCode::OK)["claim_expires_at"]
            .as_str()
            .unwrap()
            >= first_expiry.as_str()
    );

    // Held by ann: 409 naming her.
    let conflict = app
        .send(Call::post(path(&erin, "claim")).cookie(&sensei))
        .await;
    let error = conflict.expect_error(StatusCode::CONFLICT, "held_by_other");
    assert!(error["message"].as_str().unwrap().contains(ANN), "{error}");
    app.send(Call::post(path(&erin, "release")).cookie(&sensei))
        .await
        .expect_error(StatusCode::CONFLICT, "held_by_other");
    // The limit: a second live claim is refused.
    let alice = app.sign_in_through_api(ALICE).await;
    let booked = app.book(&alice, app.submission_of(ALICE).await).await;
    let alices = booked.expect(StatusCode::CREATED)["session"]["id"]
        .as_i64()
        .unwrap();
    app.send(Call::post(path(&alices, "claim")).cookie(&sensei))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "claim_limit");
    // Release, then renewing is not_held.
    let released = app
        .send(Call::post(path(&dave, "release")).cookie(&sensei))
        .await;
    assert_eq!(released.expect(StatusCode::OK)["status"], "pending");
    app.send(Call::post(path(&dave, "renew")).cookie(&sensei))
        .await
        .expect_error(StatusCode::CONFLICT, "not_held");
    // Closed sessions, unknown ids, students, no marker.
    let frank = session_of(&app, FRANK).await;
    app.send(Call::post(path(&frank, "claim")).cookie(&sensei))
        .await
        .expect_error(StatusCode::CONFLICT, "session_closed");
    app.send(Call::post(path(&99999, "claim")).cookie(&sensei))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.send(Call::post(path(&dave, "claim")).cookie(&alice))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(Call::new(poem::http::Method::POST, path(&dave, "claim")).cookie(&sensei))
        .await
        .expect_error(StatusCode::FORBIDDEN, "csrf_rejected");
    app.send(Call::post(path(&dave, "claim")))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    // The list filters by the new states.
    let list = |status: &'static str| {
        let sensei = sensei.clone();
        let app = &app;
        async move {
            app.send(Call::get(format!("{API}/scheduled-sessions?status={status}")).cookie(&sensei))
                .await
        }
    };
    let claimed = list("claimed").await;
    let items = claimed.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["student_email"], ERIN);
    assert_eq!(items[0]["claimed_by_email"], ANN);
    assert_eq!(list("open").await.expect(StatusCode::OK)["total"], 3);
    assert_eq!(list("cancelled").await.expect(StatusCode::OK)["total"], 1);
    assert_eq!(list("closed").await.expect(StatusCode::OK)["total"], 2);
}

#[tokio::test]
async fn only_the_holder_completes_with_both_notes_and_the_student_sees_only_theirs() {
    let app = full_demo().await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    let ann = app.sign_in_through_api(ANN).await;
    let erin = session_of(&app, ERIN).await;
    let completion = format!("{API}/scheduled-sessions/{erin}/completion");
    let notes = json!({"notes": "private: pushy on caching", "student_notes": "  Well done!  "});
    app.send(Call::post_json(&completion, &notes).cookie(&sensei))
        .await
        .expect_error(StatusCode::CONFLICT, "held_by_other");
    let done = app
        .send(Call::post_json(&completion, &notes).cookie(&ann))
        .await;
    let body = done.expect(StatusCode::OK);
    assert_eq!(body["status"], "completed");
    assert_eq!(body["notes"], "private: pushy on caching");
    assert_eq!(body["student_notes"], "Well done!");
    assert_eq!(body["completed_by"], app.user_id(ANN).await.get());

    let student = app.sign_in_through_api(ERIN).await;
    let mine = app
        .send(Call::get(format!("{API}/me/scheduled-sessions")).cookie(&student))
        .await;
    let mine = mine.expect(StatusCode::OK);
    has_no_private_notes(mine);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["state"], "completed");
    assert_eq!(mine["items"][0]["student_notes"], "Well done!");
    // Students may not read the queue, the timeline or the history.
    for path in [
        format!("{API}/scheduled-sessions/{erin}/events"),
        format!("{API}/history"),
        format!("{API}/scheduled-sessions"),
    ] {
        app.send(Call::get(path).cookie(&student))
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
    }
    // Instructors have no "my sessions".
    app.send(Call::get(format!("{API}/me/scheduled-sessions")).cookie(&ann))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn students_cancel_their_own_open_sessions_only() {
    let app = full_demo().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let bob = app.sign_in_through_api(BOB).await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    let booked = app.book(&alice, app.submission_of(ALICE).await).await;
    let id = booked.expect(StatusCode::CREATED)["session"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("{API}/scheduled-sessions/{id}/cancellation");
    app.send(Call::post_json(&path, &json!({})).cookie(&bob))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(Call::post_json(&path, &json!({"reason": "mine"})).cookie(&sensei))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(Call::post_json(&path, &json!({"reason": "x".repeat(501)})).cookie(&alice))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason");
    app.send(Call::post_json(&path, &json!({"reason": 5})).cookie(&alice))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let cancelled = app
        .send(Call::post_json(&path, &json!({"reason": " changed my mind "})).cookie(&alice))
        .await;
    let body = cancelled.expect(StatusCode::OK);
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancel_reason"], "changed my mind");
    assert!(body["cancelled_at"].as_str().is_some());
    app.send(Call::post_json(&path, &json!({})).cookie(&alice))
        .await
        .expect_error(StatusCode::CONFLICT, "session_closed");
    // After completion, cancelling is a conflict too.
    let frank = app.sign_in_through_api(FRANK).await;
    let franks = session_of(&app, FRANK).await;
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/{franks}/cancellation"),
            &json!({}),
        )
        .cookie(&frank),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "session_closed");
    // A cancelled session is not a duplicate: alice books anew.
    let again = app.book(&alice, app.submission_of(ALICE).await).await;
    assert_eq!(again.expect(StatusCode::CREATED)["outcome"], "created");
}

#[tokio::test]
async fn a_duplicate_booking_of_a_completed_session_never_carries_private_notes() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    let submission = app.submission_of(ALICE).await;
    let booked = app.book(&alice, submission).await;
    let id = booked.expect(StatusCode::CREATED)["session"]["id"]
        .as_i64()
        .unwrap();
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/{id}/completion"),
            &json!({"notes": "secret instructor notes", "student_notes": "for alice"}),
        )
        .cookie(&sensei),
    )
    .await
    .expect(StatusCode::OK);
    let duplicate = app.book(&alice, submission).await;
    let body = duplicate.expect(StatusCode::OK);
    assert_eq!(body["outcome"], "duplicate");
    assert_eq!(body["session"]["status"], "completed");
    assert_eq!(body["session"]["student_notes"], "for alice");
    assert!(
        !duplicate.text.contains("secret instructor notes"),
        "{}",
        duplicate.text
    );
    assert!(body["session"].get("notes").is_none());
    assert!(body["session"].get("completed_by").is_none());
}

#[tokio::test]
async fn timelines_and_history_for_instructors() {
    let app = full_demo().await;
    let ann = app.sign_in_through_api(ANN).await;
    let frank = session_of(&app, FRANK).await;
    let timeline = app
        .send(Call::get(format!("{API}/scheduled-sessions/{frank}/events")).cookie(&ann))
        .await;
    let body = timeline.expect(StatusCode::OK);
    let kinds: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["booked", "claimed", "completed"]);
    assert_eq!(body["events"][0]["actor_email"], FRANK);
    assert!(body["events"][0].get("from_state").is_none());
    assert_eq!(body["events"][2]["from_state"], "claimed");
    assert_eq!(body["events"][2]["to_state"], "completed");
    assert_eq!(body["events"][2]["actor_email"], INSTRUCTOR);
    app.send(Call::get(format!("{API}/scheduled-sessions/99999/events")).cookie(&ann))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");

    let history = |query: &str| Call::get(format!("{API}/history{query}")).cookie(&ann);
    let all = app.send(history("")).await;
    let all = all.expect(StatusCode::OK);
    assert_eq!(all["total"], 2);
    let cancelled = app.send(history("?status=cancelled")).await;
    let cancelled = cancelled.expect(StatusCode::OK);
    assert_eq!(cancelled["items"][0]["student_email"], GRACE);
    assert_eq!(cancelled["items"][0]["cancel_reason"], GRACE_REASON);
    let mine = app.send(history("?completed_by_me=true")).await;
    assert_eq!(mine.expect(StatusCode::OK)["total"], 0);
    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    let theirs = app
        .send(
            Call::get(format!("{API}/history?completed_by_me=true&student=frank")).cookie(&sensei),
        )
        .await;
    let theirs = theirs.expect(StatusCode::OK);
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["notes"], FRANK_NOTES);
    assert_eq!(theirs["items"][0]["student_notes"], FRANK_STUDENT_NOTES);
    let old = app.send(history("?to=2000-01-01")).await;
    assert_eq!(old.expect(StatusCode::OK)["total"], 0);
    for bad in [
        "?status=pending",
        "?from=2026-13-45",
        "?from=yesterday",
        "?after=x",
        "?limit=0",
    ] {
        app.send(history(bad))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn students_list_their_submissions_with_eligibility_now() {
    let app = full_demo().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let list = || Call::get(format!("{API}/me/submissions"));
    let reply = app.send(list().cookie(&alice)).await;
    let body = reply.expect(StatusCode::OK);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["eligible"], true);
    assert_eq!(items[0]["eligibility_reason"], "needs_work_feedback");
    assert_eq!(items[0]["engagement"]["total_goals"], 3);
    assert!(items[0].get("latest_session").is_none());
    app.book(&alice, app.submission_of(ALICE).await).await;
    let reply = app.send(list().cookie(&alice)).await;
    assert_eq!(
        reply.expect(StatusCode::OK)["items"][0]["latest_session"]["status"],
        "pending"
    );

    let carol = app.sign_in_through_api(CAROL).await;
    let reply = app.send(list().cookie(&carol)).await;
    let carols = &reply.expect(StatusCode::OK)["items"][0];
    assert_eq!(carols["eligible"], false);
    assert!(!carols["unmet_conditions"].as_array().unwrap().is_empty());

    let frank = app.sign_in_through_api(FRANK).await;
    let reply = app.send(list().cookie(&frank)).await;
    let body = reply.expect(StatusCode::OK);
    has_no_private_notes(body);
    assert_eq!(
        body["items"][0]["latest_session"]["student_notes"],
        FRANK_STUDENT_NOTES
    );

    let sensei = app.sign_in_through_api(INSTRUCTOR).await;
    app.send(list().cookie(&sensei))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(list())
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn the_document_lists_every_workflow_operation_and_its_statuses() {
    let app = TestApp::spawn().await;
    let reply = app.send(Call::get(format!("{API}/openapi.json"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let spec = &reply.json;
    for (path, method, statuses) in [
        (
            "/scheduled-sessions/{id}/claim",
            "post",
            &["200", "401", "403", "404", "409", "422"][..],
        ),
        (
            "/scheduled-sessions/{id}/renew",
            "post",
            &["200", "409"][..],
        ),
        (
            "/scheduled-sessions/{id}/release",
            "post",
            &["200", "409"][..],
        ),
        (
            "/scheduled-sessions/{id}/cancellation",
            "post",
            &["200", "403", "409", "422"][..],
        ),
        (
            "/scheduled-sessions/{id}/events",
            "get",
            &["200", "403", "404"][..],
        ),
        ("/history", "get", &["200", "400", "403"][..]),
        ("/me/scheduled-sessions", "get", &["200", "403"][..]),
        ("/me/submissions", "get", &["200", "403"][..]),
    ] {
        let responses = &spec["paths"][path][method]["responses"];
        for status in statuses {
            assert!(
                responses.get(*status).is_some(),
                "{method} {path} lacks {status}"
            );
        }
    }
    let student_view = &spec["components"]["schemas"]["StudentScheduledSession"]["properties"];
    assert!(student_view.get("notes").is_none());
    assert!(student_view.get("student_notes").is_some());
}
