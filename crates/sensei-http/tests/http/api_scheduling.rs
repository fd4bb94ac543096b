//! Booking, listing, reading and completing scheduled sessions through the JSON API, with the
//! demo data: every endpoint and the errors each can answer.

use crate::helpers::{Call, Reply, TestApp, API};
use poem::http::{Method, StatusCode};
use sensei_http::demo::{ALICE, ALICE_CHALLENGE, BOB, BOB_CHALLENGE, CAROL, INSTRUCTOR};
use serde_json::{json, Value};

async fn pending_total(app: &TestApp, instructor: &str) -> u64 {
    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions?status=all")).cookie(instructor))
        .await;
    reply.expect(StatusCode::OK)["total"].as_u64().unwrap()
}

fn session_id(reply: &Reply) -> i64 {
    reply.json["session"]["id"].as_i64().expect("a session id")
}

#[tokio::test]
async fn alice_books_once_and_a_second_booking_returns_the_same_session_as_a_duplicate() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in_through_api(ALICE).await;
    let submission = app.submission_of(ALICE).await;

    let created = app.book(&alice, submission).await;
    let body = created.expect(StatusCode::CREATED);
    assert_eq!(body["outcome"], "created");
    let session = &body["session"];
    assert_eq!(session["submission_id"], submission.get());
    assert_eq!(session["user_id"], app.user_id(ALICE).await.get());
    assert_eq!(session["eligibility_reason"], "needs_work_feedback");
    assert_eq!(session["status"], "pending");
    assert_eq!(
        session["snapshot"],
        json!({"goals_passed": 1, "goals_engaged": 1, "total_goals": 3, "percent": 67})
    );
    assert!(session.get("completed_at").is_none());
    assert!(session["scheduled_at"].as_str().is_some());

    let again = app.book(&alice, submission).await;
    let body = again.expect(StatusCode::OK);
    assert_eq!(body["outcome"], "duplicate");
    assert_eq!(session_id(&again), session_id(&created));
}

#[tokio::test]
async fn bob_is_eligible_through_digi_trainer_engagement() {
    let app = TestApp::spawn().await;
    let bob = app.sign_in_through_api(BOB).await;
    let reply = app.book(&bob, app.submission_of(BOB).await).await;
    let session = &reply.expect(StatusCode::CREATED)["session"];
    assert_eq!(session["eligibility_reason"], "digi_trainer_engagement");
    assert_eq!(
        session["snapshot"],
        json!({"goals_passed": 2, "goals_engaged": 2, "total_goals": 4, "percent": 100})
    );
}

#[tokio::test]
async fn carol_is_refused_with_422_listing_each_unmet_condition_and_nothing_is_recorded() {
    let app = TestApp::spawn().await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let before = pending_total(&app, &instructor).await;
    let carol = app.sign_in_through_api(CAROL).await;
    let reply = app.book(&carol, app.submission_of(CAROL).await).await;
    let error = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "ineligible");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("1 of 5 goals engaged; 5 needed"),
        "{message}"
    );
    let unmet = error["unmet_conditions"].as_array().unwrap();
    assert_eq!(unmet.len(), 2);
    assert_eq!(unmet[0]["condition"], "needs_work_feedback");
    assert_eq!(unmet[1]["condition"], "digi_trainer_engagement");
    assert_eq!(unmet[1]["goals_touched"], 1);
    assert_eq!(unmet[1]["total_goals"], 5);
    assert_eq!(unmet[1]["goals_needed"], 5);
    assert_eq!(unmet[1]["engagement_percent"], 20);
    assert_eq!(unmet[1]["threshold_percent"], 100);
    assert_eq!(pending_total(&app, &instructor).await, before);
}

#[tokio::test]
async fn booking_refuses_other_peoples_submissions_instructors_unknown_ids_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let alice = app.sign_in_through_api(ALICE).await;
    let bobs = app.submission_of(BOB).await;
    app.book(&alice, bobs)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.book(&instructor, bobs)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(Call::post(format!("{API}/submissions/999999/scheduled-sessions")).cookie(&alice))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    for id in ["abc", "1.5", "99999999999", "%20"] {
        app.send(Call::post(format!("{API}/submissions/{id}/scheduled-sessions")).cookie(&alice))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    app.send(Call::post(format!(
        "{API}/submissions/{}/scheduled-sessions",
        app.submission_of(ALICE).await
    )))
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(pending_total(&app, &instructor).await, 0);
}

#[tokio::test]
async fn a_booking_without_the_json_type_or_custom_header_is_refused_and_records_nothing() {
    let app = TestApp::spawn().await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let alice = app.sign_in_through_api(ALICE).await;
    let path = format!(
        "{API}/submissions/{}/scheduled-sessions",
        app.submission_of(ALICE).await
    );
    app.send(Call::new(Method::POST, &path).cookie(&alice))
        .await
        .expect_error(StatusCode::FORBIDDEN, "csrf_rejected");
    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        app.send(
            Call::new(Method::POST, &path)
                .cookie(&alice)
                .body(content_type, ""),
        )
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    assert_eq!(pending_total(&app, &instructor).await, 0);
    app.send(
        Call::new(Method::POST, &path)
            .cookie(&alice)
            .body("application/json", "{}"),
    )
    .await
    .expect(StatusCode::CREATED);
}

/// Alice books, then Bob: two pending sessions, Alice's first.
async fn two_bookings(app: &TestApp) -> (i64, i64) {
    let alice = app.sign_in_through_api(ALICE).await;
    let first = app.book(&alice, app.submission_of(ALICE).await).await;
    first.expect(StatusCode::CREATED);
    let bob = app.sign_in_through_api(BOB).await;
    let second = app.book(&bob, app.submission_of(BOB).await).await;
    second.expect(StatusCode::CREATED);
    (session_id(&first), session_id(&second))
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn instructors_list_pending_sessions_oldest_first_with_filters_total_and_cursor_paging() {
    let app = TestApp::spawn().await;
    let (alices, bobs) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let list = |query: &str| {
        let call = Call::get(format!("{API}/scheduled-sessions{query}")).cookie(&instructor);
        app.send(call)
    };

    let reply = list("").await;
    let page = reply.expect(StatusCode::OK);
    assert_eq!(ids(page), vec![alices, bobs]);
    assert_eq!(page["total"], 2);
    assert!(page.get("next_cursor").is_none());
    let first = &page["items"][0];
    assert_eq!(first["student_email"], ALICE);
    assert_eq!(first["challenge_name"], ALICE_CHALLENGE);
    assert_eq!(first["eligibility_reason"], "needs_work_feedback");
    assert_eq!(first["snapshot"]["goals_passed"], 1);
    assert_eq!(page["items"][1]["challenge_name"], BOB_CHALLENGE);

    let reply = list("?reason=digi_trainer_engagement").await;
    assert_eq!(ids(reply.expect(StatusCode::OK)), vec![bobs]);
    let challenge = page["items"][0]["challenge_id"].as_i64().unwrap();
    let reply = list(&format!("?challenge_id={challenge}")).await;
    assert_eq!(ids(reply.expect(StatusCode::OK)), vec![alices]);
    let reply = list("?student=ALI").await;
    assert_eq!(ids(reply.expect(StatusCode::OK)), vec![alices]);
    let reply = list("?student=example.com&status=all&reason=needs_work_feedback").await;
    assert_eq!(ids(reply.expect(StatusCode::OK)), vec![alices]);
    let reply = list("?status=completed").await;
    let completed = reply.expect(StatusCode::OK);
    assert_eq!(completed["total"], 0);
    assert_eq!(ids(completed), Vec::<i64>::new());

    let reply = list("?limit=1").await;
    let first_page = reply.expect(StatusCode::OK);
    assert_eq!(ids(first_page), vec![alices]);
    assert_eq!(first_page["total"], 2);
    let cursor = first_page["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    let reply = list(&format!("?limit=1&after={cursor}")).await;
    let second_page = reply.expect(StatusCode::OK);
    assert_eq!(ids(second_page), vec![bobs]);
    assert!(second_page.get("next_cursor").is_none());
}

#[tokio::test]
async fn unknown_filter_values_bad_limits_and_cursors_are_400_with_a_json_error() {
    let app = TestApp::spawn().await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    for query in [
        "status=opened",
        "status=",
        "reason=because",
        "challenge_id=abc",
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=ten",
        "after=garbage",
        "after=1.x",
    ] {
        let reply = app
            .send(Call::get(format!("{API}/scheduled-sessions?{query}")).cookie(&instructor))
            .await;
        let error = reply.expect_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(!error["message"].as_str().unwrap().is_empty(), "{query}");
    }
    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions?limit=100&student=")).cookie(&instructor))
        .await;
    reply.expect(StatusCode::OK);
}

#[tokio::test]
async fn students_and_anonymous_callers_cannot_list_or_read_sessions() {
    let app = TestApp::spawn().await;
    let (alices, _) = two_bookings(&app).await;
    let alice = app.sign_in_through_api(ALICE).await;
    for path in [
        format!("{API}/scheduled-sessions"),
        format!("{API}/scheduled-sessions/{alices}"),
    ] {
        app.send(Call::get(&path).cookie(&alice))
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
        app.send(Call::get(&path))
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn the_detail_has_the_snapshot_current_goal_progress_and_digi_trainer_previews() {
    let app = TestApp::spawn().await;
    let (alices, _) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions/{alices}")).cookie(&instructor))
        .await;
    let detail = reply.expect(StatusCode::OK);
    assert_eq!(detail["session"]["id"], alices);
    assert_eq!(detail["session"]["student_email"], ALICE);
    assert_eq!(detail["session"]["snapshot"]["total_goals"], 3);
    assert_eq!(
        detail["current_engagement"],
        json!({"goals_passed": 1, "goals_engaged": 1, "total_goals": 3, "percent": 67})
    );
    let goals = detail["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 3);
    let statuses: Vec<&str> = goals
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    for status in ["passed", "engaged", "not_started"] {
        assert!(statuses.contains(&status), "{statuses:?}");
    }
    let conversations = detail["digi_trainer_sessions"].as_array().unwrap();
    assert!(
        !conversations.is_empty(),
        "alice talked with the digi-trainer"
    );
    let messages = conversations[0]["messages"].as_array().unwrap();
    assert!(!messages.is_empty());
    for message in messages {
        assert!(message["content"].as_str().unwrap().chars().count() <= 281);
        assert!(["student", "digi_trainer"].contains(&message["role"].as_str().unwrap()));
    }
    assert_eq!(detail["submission"]["latest_review_verdict"], "needs_work");
    assert!(detail["conversations_url"]
        .as_str()
        .unwrap()
        .starts_with("/admin/submissions/"));

    app.send(Call::get(format!("{API}/scheduled-sessions/424242")).cookie(&instructor))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.send(Call::get(format!("{API}/scheduled-sessions/first")).cookie(&instructor))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn completing_a_session_saves_trimmed_notes_and_a_second_completion_is_409_keeping_the_first()
{
    let app = TestApp::spawn().await;
    let (alices, bobs) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let complete = |id: i64, body: Value| {
        let call = Call::post_json(format!("{API}/scheduled-sessions/{id}/completion"), &body)
            .cookie(&instructor);
        app.send(call)
    };

    let reply = complete(alices, json!({"notes": "  Walked through the hashing.  "})).await;
    let session = reply.expect(StatusCode::OK);
    assert_eq!(session["id"], alices);
    assert_eq!(session["status"], "completed");
    assert_eq!(session["notes"], "Walked through the hashing.");
    let completed_at = session["completed_at"].as_str().unwrap().to_owned();

    let reply = complete(alices, json!({"notes": "a second opinion"})).await;
    let error = reply.expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(error["session"]["notes"], "Walked through the hashing.");
    assert_eq!(error["session"]["completed_at"], completed_at.as_str());

    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions")).cookie(&instructor))
        .await;
    assert_eq!(ids(reply.expect(StatusCode::OK)), vec![bobs]);
    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions?status=completed")).cookie(&instructor))
        .await;
    let done = reply.expect(StatusCode::OK);
    assert_eq!(ids(done), vec![alices]);
    assert_eq!(done["items"][0]["notes"], "Walked through the hashing.");

    let reply = complete(bobs, json!({})).await;
    let session = reply.expect(StatusCode::OK);
    assert_eq!(session["status"], "completed");
    assert!(session.get("notes").is_none());
}

#[tokio::test]
async fn notes_that_are_not_a_string_are_400_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (alices, _) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let path = format!("{API}/scheduled-sessions/{alices}/completion");

    for notes in [
        json!(5),
        json!(1.5),
        json!(true),
        json!(["a"]),
        json!({"a": 1}),
    ] {
        let reply = app
            .send(Call::post_json(&path, &json!({ "notes": notes })).cookie(&instructor))
            .await;
        reply.expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    let detail = app
        .send(Call::get(format!("{API}/scheduled-sessions/{alices}")).cookie(&instructor))
        .await;
    assert_eq!(
        detail.expect(StatusCode::OK)["session"]["status"],
        "pending"
    );
    let reply = app
        .send(Call::post_json(&path, &json!({ "notes": null })).cookie(&instructor))
        .await;
    assert_eq!(reply.expect(StatusCode::OK)["status"], "completed");
}

#[tokio::test]
async fn notes_over_ten_thousand_characters_are_422_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (alices, _) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let path = format!("{API}/scheduled-sessions/{alices}/completion");

    let too_long = "é".repeat(10_001);
    let reply = app
        .send(Call::post_json(&path, &json!({ "notes": too_long })).cookie(&instructor))
        .await;
    let error = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_notes");
    assert!(error["message"].as_str().unwrap().contains("10001"));
    let detail = app
        .send(Call::get(format!("{API}/scheduled-sessions/{alices}")).cookie(&instructor))
        .await;
    assert_eq!(
        detail.expect(StatusCode::OK)["session"]["status"],
        "pending"
    );

    let at_limit = "é".repeat(10_000);
    let reply = app
        .send(Call::post_json(&path, &json!({ "notes": at_limit })).cookie(&instructor))
        .await;
    assert_eq!(
        reply.expect(StatusCode::OK)["notes"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        10_000
    );
}

#[tokio::test]
async fn completion_errors_are_json_for_students_unknown_ids_bad_bodies_and_huge_bodies() {
    let app = TestApp::spawn().await;
    let (alices, _) = two_bookings(&app).await;
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    let alice = app.sign_in_through_api(ALICE).await;
    let path = format!("{API}/scheduled-sessions/{alices}/completion");

    app.send(Call::post_json(&path, &json!({})).cookie(&alice))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    app.send(Call::post_json(&path, &json!({})))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/424242/completion"),
            &json!({}),
        )
        .cookie(&instructor),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.send(
        Call::post_json(format!("{API}/scheduled-sessions/x/completion"), &json!({}))
            .cookie(&instructor),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    for body in [
        "{",
        r#"{"notes": ["x"]}"#,
        r#"{"notes": {"a": 1}}"#,
        "null",
        "[]",
    ] {
        app.send(
            Call::new(Method::POST, &path)
                .cookie(&instructor)
                .body("application/json", body),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    app.send(
        Call::new(Method::POST, &path)
            .cookie(&instructor)
            .body("application/x-www-form-urlencoded", "notes=hi"),
    )
    .await
    .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    app.send(Call::post(&path).cookie(&instructor))
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let huge = json!({ "notes": "x".repeat(300 * 1024) });
    app.send(Call::post_json(&path, &huge).cookie(&instructor))
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let detail = app
        .send(Call::get(format!("{API}/scheduled-sessions/{alices}")).cookie(&instructor))
        .await;
    assert_eq!(
        detail.expect(StatusCode::OK)["session"]["status"],
        "pending"
    );
}

#[tokio::test]
async fn simultaneous_bookings_through_the_api_record_exactly_one_session() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let alice = app.sign_in_through_api(ALICE).await;
    let submission = app.submission_of(ALICE).await;
    let mut bookings = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (app, alice) = (app.clone(), alice.clone());
        bookings.spawn(async move { app.book(&alice, submission).await });
    }
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    while let Some(reply) = bookings.join_next().await {
        let reply = reply.unwrap();
        match reply.status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => assert_eq!(reply.json["outcome"], "duplicate"),
            other => panic!("unexpected {other}: {}", reply.text),
        }
        ids.insert(session_id(&reply));
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1, "every booking returns the same session");
    let instructor = app.sign_in_through_api(INSTRUCTOR).await;
    assert_eq!(pending_total(&app, &instructor).await, 1);
}
