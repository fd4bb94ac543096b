//! One limit for the student filter everywhere: the dashboard, the history, the CSV export
//! and the JSON API accept the core's `MAX_STUDENT_SEARCH_CHARS` characters and refuse one
//! more with 400.

use poem::http::StatusCode;
use sensei_core::MAX_STUDENT_SEARCH_CHARS;
use sensei_http::demo::INSTRUCTOR;

use crate::helpers::{Call, API};
use crate::workflow_pages::full_demo;

#[tokio::test]
async fn pages_export_and_api_agree_on_the_student_filters_limit() {
    let app = full_demo().await;
    let sensei = app.signed_in(INSTRUCTOR).await;
    let cookie = app.sign_in_through_api(INSTRUCTOR).await;
    let at_limit = "a".repeat(MAX_STUDENT_SEARCH_CHARS);
    let over = "a".repeat(MAX_STUDENT_SEARCH_CHARS + 1);
    for (text, status) in [
        (&at_limit, StatusCode::OK),
        (&over, StatusCode::BAD_REQUEST),
    ] {
        for page in ["/admin", "/admin/history", "/admin/export.csv"] {
            sensei
                .get(&format!("{page}?student={text}"))
                .await
                .assert_status(status);
        }
        let reply = app
            .send(Call::get(format!("{API}/scheduled-sessions?student={text}")).cookie(&cookie))
            .await;
        assert_eq!(reply.status, status, "{}", reply.text);
    }
}
