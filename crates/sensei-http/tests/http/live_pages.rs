//! The live pages through the real router: the script is served and loaded by every page
//! under `script-src 'self'`; the dashboard and the session page name their stream and live
//! regions and hold every datum without script; "my challenges" is chosen on its own page
//! (CSRF-checked, unknown challenges refused with nothing saved) and narrows the dashboard
//! unless `all=1`; "On duty" lists instructors seen in the last five minutes with their holds.

use poem::http::StatusCode;
use sensei_core::{ChallengeChoice, ChallengeId};
use sensei_http::demo::{ALICE, ALICE_CHALLENGE, ANN, DAVE, ERIN, INSTRUCTOR, WORKFLOW_CHALLENGE};

use crate::helpers::{Browser, Call, TestApp, API};
use crate::workflow_pages::{full_demo, session_of};

/// Every challenge of the demo, as the desk lists them for the instructor.
async fn challenges(app: &TestApp) -> Vec<ChallengeChoice> {
    use sensei_core::ports::DeskStore;
    let sensei = app.user_id(INSTRUCTOR).await;
    app.database
        .desk()
        .challenge_choices(sensei, 500)
        .await
        .unwrap()
}

async fn challenge_named(app: &TestApp, name: &str) -> ChallengeId {
    challenges(app)
        .await
        .into_iter()
        .find(|choice| choice.name == name)
        .unwrap_or_else(|| panic!("{name} is a demo challenge"))
        .id
}

async fn choose(browser: &Browser<'_>, ids: &[ChallengeId]) -> crate::helpers::Page {
    let token = browser.csrf_from("/admin/my-challenges").await;
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend(ids.iter().map(|id| ("challenge", id.as_str())));
    browser.post("/admin/my-challenges", &fields).await
}

#[tokio::test]
async fn the_live_script_is_served_and_loaded_by_every_page_under_a_self_only_policy() {
    let app = TestApp::spawn().await;
    let script = app.client.get("/static/live.js").send().await;
    script.assert_status(StatusCode::OK);
    let headers = script.0.headers().clone();
    assert_eq!(
        headers["content-type"].to_str().unwrap(),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        headers["cache-control"].to_str().unwrap(),
        "public, max-age=3600"
    );
    let body = script.0.into_body().into_string().await.unwrap();
    for needle in [
        "data-live-stream",
        "data-live-region",
        "EventSource",
        "new)",
    ] {
        assert!(body.contains(needle), "{needle}");
    }

    let login = app.client.get("/login").send().await;
    let policy = login.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'self'",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    let page = login.0.into_body().into_string().await.unwrap();
    assert!(
        page.contains("<script src=\"/static/live.js\" defer></script>"),
        "{page}"
    );
    assert!(
        !page.contains("data-live-stream"),
        "no stream on the sign-in page"
    );
}

#[tokio::test]
async fn the_dashboard_and_session_page_are_complete_without_script_and_name_their_regions() {
    let app = full_demo().await;
    let weather = challenge_named(&app, WORKFLOW_CHALLENGE).await;
    let dave = session_of(&app, DAVE).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let dashboard = sensei.get("/admin").await;
    dashboard
        .assert_status(StatusCode::OK)
        .assert_contains("data-live-stream=\"/api/v1/events?all=1\"")
        .assert_contains("aria-live=\"polite\"")
        .assert_contains("data-live-region=\"counts\"")
        .assert_contains("data-live-region=\"queue\"")
        .assert_contains("data-live-region=\"on-duty\"")
        // The data itself is in the HTML: the script only refreshes it.
        .assert_contains(DAVE)
        .assert_contains(ERIN)
        .assert_contains("ann@example.com until")
        .assert_contains("Pending scheduled sessions");

    let detail = sensei
        .get(&format!("/admin/scheduled-sessions/{dave}"))
        .await;
    detail
        .assert_status(StatusCode::OK)
        .assert_contains(&format!(
            "data-live-stream=\"/api/v1/events?challenge={weather}\""
        ))
        .assert_contains("data-live-region=\"session\"")
        .assert_contains("data-live-region=\"completion\"")
        .assert_contains("data-live-region=\"timeline\"")
        .assert_contains(DAVE)
        .assert_contains("Booked");
}

#[tokio::test]
async fn my_challenges_are_chosen_with_a_csrf_token_and_unknown_ones_are_refused() {
    let app = full_demo().await;
    let alice_challenge = challenge_named(&app, ALICE_CHALLENGE).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let form = sensei.get("/admin/my-challenges").await;
    form.assert_status(StatusCode::OK)
        .assert_contains(ALICE_CHALLENGE)
        .assert_contains(&format!(
            "name=\"challenge\" type=\"checkbox\" value=\"{alice_challenge}\">"
        ))
        .assert_contains("(0 of");

    let forged = sensei
        .post(
            "/admin/my-challenges",
            &[("challenge", alice_challenge.to_string().as_str())],
        )
        .await;
    forged.assert_status(StatusCode::FORBIDDEN);
    let unknown = choose(&sensei, &[ChallengeId(987_654)]).await;
    unknown
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("Challenge 987654 does not exist: reload the page");
    let typo = sensei
        .post(
            "/admin/my-challenges",
            &[("csrf_token", form.csrf().as_str()), ("challenge", "three")],
        )
        .await;
    typo.assert_status(StatusCode::BAD_REQUEST);
    sensei
        .get("/admin/my-challenges")
        .await
        .assert_contains("(0 of");

    choose(&sensei, &[alice_challenge])
        .await
        .assert_redirect("/admin/my-challenges");
    sensei
        .get("/admin/my-challenges")
        .await
        .assert_contains("your dashboard shows your 1 challenge first")
        .assert_contains(&format!("value=\"{alice_challenge}\" checked>"))
        .assert_contains("(1 of");

    let student = app.signed_in(ALICE).await;
    student
        .get("/admin/my-challenges")
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dashboard_defaults_to_my_challenges_and_all_shows_every_one() {
    let app = full_demo().await;
    let alice_challenge = challenge_named(&app, ALICE_CHALLENGE).await;
    let alice = app.sign_in_through_api(ALICE).await;
    app.book(&alice, app.submission_of(ALICE).await)
        .await
        .expect(StatusCode::CREATED);

    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .get("/admin")
        .await
        .assert_contains(ALICE)
        .assert_contains(DAVE)
        .assert_lacks("Show all challenges");
    choose(&sensei, &[alice_challenge]).await;

    for browser in [&sensei, &app.signed_in(INSTRUCTOR).await] {
        // The browser that chose (its cookie caches the choice) and a fresh sign-in alike.
        browser
            .get("/admin")
            .await
            .assert_contains(ALICE)
            .assert_lacks(DAVE)
            .assert_contains("Showing your challenge only (1 chosen).")
            .assert_contains("<a href=\"/admin?all=1\">Show all challenges</a>")
            .assert_contains(&format!(
                "data-live-stream=\"/api/v1/events?challenge={alice_challenge}\""
            ));
    }
    sensei
        .get("/admin?all=1")
        .await
        .assert_contains(ALICE)
        .assert_contains(DAVE)
        .assert_contains("Showing all challenges.")
        .assert_contains("<a href=\"/admin\">Show my challenges</a>")
        .assert_contains("<input type=\"hidden\" name=\"all\" value=\"1\">")
        .assert_contains("data-live-stream=\"/api/v1/events?all=1\"");
    let weather = challenge_named(&app, WORKFLOW_CHALLENGE).await;
    sensei
        .get(&format!("/admin?challenge={weather}"))
        .await
        .assert_contains(DAVE)
        .assert_lacks(ALICE)
        .assert_contains(&format!("Showing challenge {weather} only."));
    sensei
        .get("/admin?all=yes")
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    // None chosen: every challenge again.
    choose(&sensei, &[])
        .await
        .assert_redirect("/admin/my-challenges");
    sensei
        .get("/admin")
        .await
        .assert_contains(ALICE)
        .assert_contains(DAVE)
        .assert_lacks("Showing your");
}

#[tokio::test]
async fn on_duty_lists_instructors_seen_in_the_last_five_minutes_with_their_holds() {
    let app = full_demo().await;
    let erin = session_of(&app, ERIN).await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let page = sensei.get("/admin").await;
    page.assert_contains("On duty")
        .assert_contains("sensei@example.com <span class=\"meta\">")
        .assert_contains("holds nothing")
        .assert_lacks("ann@example.com <span class=\"meta\">");

    // Ann is seen through the API (her sign-in there, then a call); she holds erin's session.
    let ann = app.sign_in_through_api(ANN).await;
    app.send(Call::get(format!("{API}/scheduled-sessions")).cookie(&ann))
        .await
        .expect(StatusCode::OK);
    sensei
        .get("/admin")
        .await
        .assert_contains("ann@example.com <span class=\"meta\">")
        .assert_contains(&format!(
            "<a href=\"/admin/scheduled-sessions/{erin}\">#{erin} {WORKFLOW_CHALLENGE}</a>"
        ));

    // Students are never on duty.
    let alice = app.signed_in(ALICE).await;
    alice
        .get("/submissions")
        .await
        .assert_status(StatusCode::OK);
    sensei
        .get("/admin")
        .await
        .assert_lacks("alice@example.com <span");
}
