//! The API's error shape everywhere (unknown paths and methods too) and its OpenAPI document.

use crate::helpers::{Call, TestApp, API};
use poem::http::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn unknown_api_paths_are_json_404_and_wrong_methods_json_405() {
    let app = TestApp::spawn().await;
    for path in [
        format!("{API}/nothing-here"),
        format!("{API}/scheduled-sessions/1/other"),
        format!("{API}/"),
    ] {
        app.send(Call::get(path))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    app.send(Call::new(Method::PUT, format!("{API}/session")).body("application/json", "{}"))
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let reply = app
        .send(Call::get(format!("{API}/scheduled-sessions/1/completion")))
        .await;
    reply.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("POST"));
    let reply = app
        .send(Call::new(Method::TRACE, format!("{API}/session")))
        .await;
    reply.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("DELETE, GET, POST"));
    let query = poem::http::Method::from_bytes(b"QUERY").unwrap();
    let reply = app
        .send(Call::new(query, format!("{API}/scheduled-sessions")))
        .await;
    reply.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
}

#[tokio::test]
async fn the_pages_still_answer_with_html_outside_the_api() {
    let app = TestApp::spawn().await;
    let reply = app.send(Call::get("/no-such-page")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply
        .header("content-type")
        .is_some_and(|value| value.starts_with("text/html")));
}

fn operation<'a>(spec: &'a Value, path: &str, method: &str) -> &'a Value {
    let operation = &spec["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is documented");
    operation
}

fn statuses(operation: &Value) -> Vec<String> {
    operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_openapi_document_is_served_and_declares_every_operation_and_status() {
    let app = TestApp::spawn().await;
    let reply = app.send(Call::get(format!("{API}/openapi.json"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header("content-type")
        .is_some_and(|value| value.starts_with("application/json")));
    let spec = &reply.json;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(spec["servers"][0]["url"], API);
    assert_eq!(reply.text, sensei_http::api::spec_json().trim_end());

    for (path, method, expected) in [
        ("/session", "post", &["200", "400", "401", "415", "503"][..]),
        ("/session", "get", &["200", "401"]),
        ("/session", "delete", &["204", "403", "415"]),
        (
            "/submissions/{id}/scheduled-sessions",
            "post",
            &[
                "200", "201", "400", "401", "403", "404", "415", "422", "503",
            ],
        ),
        (
            "/scheduled-sessions",
            "get",
            &["200", "400", "401", "403", "503"],
        ),
        (
            "/scheduled-sessions/{id}",
            "get",
            &["200", "400", "401", "403", "404", "503"],
        ),
        (
            "/scheduled-sessions/{id}/completion",
            "post",
            &[
                "200", "400", "401", "403", "404", "409", "413", "415", "422", "503",
            ],
        ),
    ] {
        let declared = statuses(operation(spec, path, method));
        for status in expected {
            assert!(
                declared.iter().any(|s| s == status),
                "{method} {path} declares {status}: {declared:?}"
            );
        }
    }
    let error = &spec["components"]["schemas"]["Error"];
    assert_eq!(error["required"], serde_json::json!(["code", "message"]));
    let code_schema = &spec["components"]["schemas"]["ErrorCode"];
    assert!(error["properties"]["code"]
        .to_string()
        .contains("#/components/schemas/ErrorCode"));
    for code in [
        "bad_request",
        "unauthenticated",
        "forbidden",
        "not_found",
        "conflict",
        "ineligible",
        "invalid_notes",
        "unavailable",
    ] {
        assert!(
            code_schema["enum"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == code),
            "{code}"
        );
    }
    let list = operation(spec, "/scheduled-sessions", "get");
    let names: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "status",
            "reason",
            "challenge_id",
            "student",
            "limit",
            "after"
        ]
    );
}
