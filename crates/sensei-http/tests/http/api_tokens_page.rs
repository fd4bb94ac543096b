//! The API tokens page (`/account/tokens`): instructors and admins list, make (shown once)
//! and revoke their own tokens through CSRF-protected forms; names are escaped; students and
//! strangers are refused; a token made there works on the API until revoked there.

use poem::http::StatusCode;
use sensei_http::demo::{ALICE, INSTRUCTOR};

use crate::helpers::{Call, TestApp, API};

const PAGE: &str = "/account/tokens";

/// The token shown on a page (`sst_` and 64 hex digits), if any.
fn token_in(body: &str) -> Option<String> {
    let start = body.find("sst_")? + 4;
    let digits: String = body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (digits.len() == 64).then(|| format!("sst_{digits}"))
}

#[tokio::test]
async fn an_instructor_makes_a_token_sees_it_once_uses_it_and_revokes_it() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(INSTRUCTOR).await;
    let page = browser.get(PAGE).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<h1>API tokens</h1>")
        .assert_contains("No tokens yet.")
        .assert_contains(r#"<a href="/account/tokens">API tokens</a>"#)
        .assert_contains(r#"<label for="token-name">"#);
    let csrf = page.csrf();

    let created = browser
        .post(
            PAGE,
            &[
                ("csrf_token", &csrf),
                ("name", "<script>alert(1)</script>"),
                ("expires_days", "30"),
            ],
        )
        .await;
    created
        .assert_status(StatusCode::OK)
        .assert_contains("shown this once")
        .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;")
        .assert_lacks("<script>alert(1)");
    let token = token_in(&created.body).expect("the new token on the page");

    let me = app
        .send(
            Call::get(format!("{API}/session")).header("Authorization", &format!("Bearer {token}")),
        )
        .await;
    assert_eq!(me.expect(StatusCode::OK)["email"], INSTRUCTOR);

    // Shown once: the list shows the token's row, never its secret.
    let listed = browser.get(PAGE).await;
    listed
        .assert_status(StatusCode::OK)
        .assert_contains("active")
        .assert_lacks(&token[4..]);
    let revoked = browser
        .post("/account/tokens/1/revoke", &[("csrf_token", &csrf)])
        .await;
    revoked.assert_redirect(PAGE);
    browser
        .get(PAGE)
        .await
        .assert_contains("API token 1 revoked.")
        .assert_contains("revoked");
    app.send(
        Call::get(format!("{API}/session")).header("Authorization", &format!("Bearer {token}")),
    )
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "invalid_token");
    // Revoking it again: no such live token.
    browser
        .post("/account/tokens/1/revoke", &[("csrf_token", &csrf)])
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_nothing_is_made() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(INSTRUCTOR).await;
    let refused = browser.post(PAGE, &[("name", "x")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    browser.get(PAGE).await.assert_contains("No tokens yet.");
}

#[tokio::test]
async fn bad_names_and_lifetimes_get_422_with_the_reason() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(INSTRUCTOR).await;
    let csrf = browser.csrf_from(PAGE).await;
    let long = "x".repeat(101);
    for (name, days, reason) in [
        (long.as_str(), "30", "at most 100"),
        ("ok", "400", "1 to 365 days"),
        ("ok", "soon", "not a token lifetime"),
    ] {
        browser
            .post(
                PAGE,
                &[
                    ("csrf_token", &csrf),
                    ("name", name),
                    ("expires_days", days),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(reason);
    }
    browser.get(PAGE).await.assert_contains("No tokens yet.");
}

#[tokio::test]
async fn students_are_refused_and_nobody_revokes_someone_elses_token() {
    let app = TestApp::spawn().await;
    let student = app.signed_in(ALICE).await;
    student.get(PAGE).await.assert_status(StatusCode::FORBIDDEN);
    let csrf = student.csrf_from("/sessions").await;
    student
        .post(PAGE, &[("csrf_token", &csrf), ("name", "mine")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.browser().get(PAGE).await.assert_redirect("/login");

    // A token is its owner's alone: another admin cannot revoke it on the page.
    let instructor = app.signed_in(INSTRUCTOR).await;
    let csrf = instructor.csrf_from(PAGE).await;
    instructor
        .post(PAGE, &[("csrf_token", &csrf), ("name", "one")])
        .await
        .assert_status(StatusCode::OK);
    app.execute_sql("UPDATE users SET role = 'admin' WHERE email = 'bob@example.com'");
    let other = app.signed_in("bob@example.com").await;
    let other_csrf = other.csrf_from(PAGE).await;
    other
        .post("/account/tokens/1/revoke", &[("csrf_token", &other_csrf)])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    instructor.get(PAGE).await.assert_contains("active");
}
