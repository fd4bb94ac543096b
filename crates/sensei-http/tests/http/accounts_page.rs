//! The admins' accounts page and "who changed what", through the real router: every change
//! made on the page is confirmed once and recorded with the signed-in admin; the last enabled
//! admin cannot lock everyone out; instructors and students are refused (403) and anonymous
//! visitors sent to sign in; every form needs its CSRF token; emails are escaped.

use reqwest::StatusCode;
use sensei_core::ports::AccountAdminStore;
use sensei_core::AccountChangeKind;
use sensei_http::demo::{ALICE, INSTRUCTOR};

use crate::helpers::{Browser, Page, TestApp};

/// Posts a form with the CSRF token.
async fn form(admin: &Browser<'_>, token: &str, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("csrf_token", token)];
    all.extend_from_slice(fields);
    admin.post(path, &all).await
}

/// The demo with its instructor made an admin, signed in as them.
async fn as_admin(app: &TestApp) -> Browser<'_> {
    app.execute_sql(&format!(
        "UPDATE users SET role = 'admin' WHERE email = '{INSTRUCTOR}'"
    ));
    app.signed_in(INSTRUCTOR).await
}

/// The recorded changes' kinds, newest first.
async fn recorded(app: &TestApp) -> Vec<AccountChangeKind> {
    app.database
        .accounts()
        .list_changes(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|change| change.kind)
        .collect()
}

#[tokio::test]
async fn an_admin_adds_changes_disables_enables_and_imports_accounts_on_the_page() {
    let app = TestApp::spawn().await;
    let admin = as_admin(&app).await;
    let page = admin.get("/admin/accounts").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<h1>Accounts</h1>")
        .assert_contains(ALICE)
        .assert_contains("href=\"/admin/accounts\"")
        .assert_contains("href=\"/admin/audit\"")
        .assert_contains("<label for=\"new-email\">");
    let token = page.csrf();
    form(
        &admin,
        &token,
        "/admin/accounts",
        &[
            ("email", " New@Example.com "),
            ("role", "student"),
            ("password", "first password"),
            ("format", "argon2"),
        ],
    )
    .await
    .assert_redirect("/admin/accounts");
    admin
        .get("/admin/accounts")
        .await
        .assert_contains("Added new@example.com as student.")
        .assert_contains("new@example.com");
    form(
        &admin,
        &token,
        "/admin/accounts/role",
        &[("email", "new@example.com"), ("role", "instructor")],
    )
    .await
    .assert_redirect("/admin/accounts");
    form(
        &admin,
        &token,
        "/admin/accounts/password",
        &[
            ("email", "new@example.com"),
            ("password", "second password"),
        ],
    )
    .await
    .assert_redirect("/admin/accounts");
    form(
        &admin,
        &token,
        "/admin/accounts/disable",
        &[("email", "new@example.com")],
    )
    .await
    .assert_redirect("/admin/accounts");
    admin
        .get("/admin/accounts?email=new&role=instructor")
        .await
        .assert_contains("Disabled new@example.com")
        .assert_contains(">Enable<")
        .assert_lacks(ALICE);
    form(
        &admin,
        &token,
        "/admin/accounts/enable",
        &[("email", "new@example.com")],
    )
    .await
    .assert_redirect("/admin/accounts");
    // A refused change says why and changes nothing.
    form(
        &admin,
        &token,
        "/admin/accounts/password",
        &[("email", "new@example.com"), ("password", "short")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("too short");
    let imported = form(
        &admin,
        &token,
        "/admin/accounts/import",
        &[(
            "csv",
            "email,role,password\ncohort1@example.com,student,cohort password\n\
             bad-email,student,cohort password\ncohort2@example.com,teacher,x\n",
        )],
    )
    .await;
    imported
        .assert_status(StatusCode::OK)
        .assert_contains("Import results")
        .assert_contains("<td>2</td><td>added</td>")
        .assert_contains("<td>3</td><td>the email must look like name@example.com")
        .assert_contains("unknown role &#34;teacher&#34;");
    form(
        &admin,
        &token,
        "/admin/accounts/import",
        &[("csv", "name\nx\n")],
    )
    .await
    .assert_status(StatusCode::BAD_REQUEST)
    .assert_contains("nothing was imported");

    assert_eq!(
        recorded(&app).await,
        &[
            AccountChangeKind::AccountImported,
            AccountChangeKind::Enabled,
            AccountChangeKind::Disabled,
            AccountChangeKind::PasswordSet,
            AccountChangeKind::RoleChanged,
            AccountChangeKind::AccountAdded,
        ]
    );
    let audit = admin.get("/admin/audit").await;
    audit
        .assert_status(StatusCode::OK)
        .assert_contains("<h1>Who changed what</h1>")
        .assert_contains("Role changed")
        .assert_contains("student → instructor")
        .assert_contains("Account imported")
        .assert_contains(INSTRUCTOR)
        .assert_contains("cohort1@example.com")
        .assert_lacks("first password")
        .assert_lacks("argon2id");
    admin
        .get("/admin/audit?before=x")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    admin
        .get("/admin/accounts?role=teacher")
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_last_enabled_admin_cannot_be_demoted_or_disabled() {
    let app = TestApp::spawn().await;
    let admin = as_admin(&app).await;
    let token = admin.csrf_from("/admin/accounts").await;
    for (path, role) in [
        ("/admin/accounts/role", "instructor"),
        ("/admin/accounts/disable", ""),
    ] {
        admin
            .post(
                path,
                &[
                    ("csrf_token", &token),
                    ("email", INSTRUCTOR),
                    ("role", role),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("is the last enabled admin")
            .assert_contains("make another account admin first");
    }
    assert!(recorded(&app).await.is_empty());
    // With a second admin, the first may step down.
    admin
        .post(
            "/admin/accounts/role",
            &[("csrf_token", &token), ("email", ALICE), ("role", "admin")],
        )
        .await
        .assert_redirect("/admin/accounts");
    admin
        .post(
            "/admin/accounts/role",
            &[
                ("csrf_token", &token),
                ("email", INSTRUCTOR),
                ("role", "instructor"),
            ],
        )
        .await
        .assert_redirect("/admin/accounts");
    // Now an instructor: the page is closed to them.
    admin
        .get("/admin/accounts")
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_admins_reach_the_pages_and_every_form_needs_its_token() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    for path in ["/admin/accounts", "/admin/audit"] {
        anonymous.get(path).await.assert_redirect("/login");
    }
    for email in [INSTRUCTOR, ALICE] {
        let browser = app.signed_in(email).await;
        browser
            .get("/admin")
            .await
            .assert_lacks("href=\"/admin/accounts\"");
        let home = if email == INSTRUCTOR {
            "/admin"
        } else {
            "/submissions"
        };
        let token = browser.csrf_from(home).await;
        for path in ["/admin/accounts", "/admin/audit"] {
            browser.get(path).await.assert_status(StatusCode::FORBIDDEN);
        }
        for path in [
            "/admin/accounts",
            "/admin/accounts/role",
            "/admin/accounts/password",
            "/admin/accounts/disable",
            "/admin/accounts/enable",
            "/admin/accounts/import",
        ] {
            let page = browser
                .post(
                    path,
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", email),
                        ("role", "admin"),
                        ("password", "long enough"),
                        ("csv", "email,role,password\n"),
                    ],
                )
                .await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{email} {path}");
        }
    }
    let admin = as_admin(&app).await;
    // No token, or a wrong one: refused before anything changes.
    admin
        .post(
            "/admin/accounts",
            &[
                ("email", "forged@example.com"),
                ("role", "admin"),
                ("password", "long enough"),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    admin
        .post(
            "/admin/accounts/role",
            &[("csrf_token", "wrong"), ("email", ALICE), ("role", "admin")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    admin
        .get("/admin/accounts")
        .await
        .assert_lacks("forged@example.com");
    assert!(recorded(&app).await.is_empty());
}

#[tokio::test]
async fn emails_are_escaped_and_webhook_changes_are_recorded() {
    let config = sensei_http::config::AppConfig {
        webhooks: sensei_http::webhooks::WebhookSettings {
            allow: crate::webhooks::loopback(),
            ..Default::default()
        },
        ..sensei_http::config::AppConfig::for_tests().unwrap()
    };
    let app = TestApp::spawn_with(config).await;
    let admin = as_admin(&app).await;
    let token = admin.csrf_from("/admin/accounts").await;
    admin
        .post(
            "/admin/accounts",
            &[
                ("csrf_token", &token),
                ("email", "<script>x</script>@example.com"),
                ("role", "student"),
                ("password", "long enough"),
            ],
        )
        .await
        .assert_redirect("/admin/accounts");
    admin
        .get("/admin/accounts")
        .await
        .assert_contains("&#60;script&#62;x&#60;/script&#62;@example.com")
        .assert_lacks("<script>x");
    admin.get("/admin/audit").await.assert_lacks("<script>x");
    admin
        .post(
            "/admin/webhooks",
            &[
                ("csrf_token", &token),
                ("url", "http://robot:s3cret@127.0.0.1:9/hook"),
                ("events", ""),
            ],
        )
        .await
        .assert_status(StatusCode::OK);
    let endpoint = app
        .state
        .webhooks
        .endpoints(sensei_core::services::WebhookManager::Operator)
        .await
        .unwrap()[0]
        .id;
    admin
        .post(
            &format!("/admin/webhooks/{endpoint}/remove"),
            &[("csrf_token", &token)],
        )
        .await
        .assert_redirect("/admin/webhooks");
    assert_eq!(
        recorded(&app).await,
        &[
            AccountChangeKind::WebhookEndpointRemoved,
            AccountChangeKind::WebhookEndpointAdded,
            AccountChangeKind::AccountAdded,
        ]
    );
    admin
        .get("/admin/audit")
        .await
        .assert_contains("Webhook endpoint added")
        .assert_contains("127.0.0.1")
        .assert_lacks("s3cret");
}
