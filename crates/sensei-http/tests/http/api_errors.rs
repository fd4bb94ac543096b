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

/// Every operation of the document as (method, path template).
fn operations(spec: &Value) -> Vec<(Method, String)> {
    let mut found = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            found.push((method, path.clone()));
        }
    }
    assert!(found.len() >= 10, "{found:?}");
    found
}

/// Asserts an API error answer: JSON of the API's shape (never an HTML page).
#[track_caller]
fn assert_json_error(reply: &crate::helpers::Reply, what: &str) {
    assert!(
        reply.status.is_client_error(),
        "{what}: {} {}",
        reply.status,
        reply.text
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8"),
        "{what}: {}",
        reply.text
    );
    assert!(
        reply.json["code"]
            .as_str()
            .is_some_and(|code| !code.is_empty())
            && reply.json["message"].as_str().is_some(),
        "{what}: {}",
        reply.text
    );
}

#[tokio::test]
async fn a_path_that_is_not_utf8_once_decoded_is_a_json_400_on_every_route_shape() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(sensei_http::demo::INSTRUCTOR).await;
    let spec = app
        .send(Call::get(format!("{API}/openapi.json")))
        .await
        .json;
    let mut paths = vec![
        format!("{API}/%FF"),
        format!("{API}/%C3%28"),
        format!("{API}/scheduled-sessions.csv%FF"),
        format!("{API}/docs/%FF"),
    ];
    let shapes = operations(&spec);
    for (method, template) in &shapes {
        // A parameter holding the bad encoding, and a literal segment with it appended.
        let bad_parameter = template
            .contains("{id}")
            .then(|| template.replace("{id}", "%FF"));
        let bad_literal = Some(format!("{template}%FF").replace("{id}", "1"));
        for path in [bad_parameter, bad_literal].into_iter().flatten() {
            let call = Call::new(method.clone(), format!("{API}{path}"))
                .cookie(&cookie)
                .body("application/json", "{}");
            let reply = app.send(call).await;
            assert_json_error(&reply, &format!("{method} {path}"));
            reply.expect_error(StatusCode::BAD_REQUEST, "bad_request");
        }
    }
    paths.dedup();
    for path in paths {
        let reply = app.send(Call::get(&path).cookie(&cookie)).await;
        assert_json_error(&reply, &path);
        reply.expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn unreadable_bodies_are_json_errors_on_every_operation_that_takes_one() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_through_api(sensei_http::demo::INSTRUCTOR).await;
    let spec = app
        .send(Call::get(format!("{API}/openapi.json")))
        .await
        .json;
    let with_body: Vec<(Method, String)> = operations(&spec)
        .into_iter()
        .filter(|(method, template)| {
            let operation = &spec["paths"][template][method.as_str().to_ascii_lowercase()];
            operation["requestBody"].is_object()
        })
        .collect();
    assert!(!with_body.is_empty());
    for (method, template) in with_body {
        let path = format!("{API}{}", template.replace("{id}", "1"));
        for (content_type, body, what) in [
            (
                "application/json",
                b"{\"notes\": ".to_vec(),
                "truncated JSON",
            ),
            ("application/json", b"not json".to_vec(), "not JSON"),
            (
                "application/json",
                b"[1, 2]".to_vec(),
                "the wrong JSON shape",
            ),
            (
                "application/json",
                b"{\"email\": \"\xff\xfe\"}".to_vec(),
                "invalid UTF-8",
            ),
            ("text/plain", b"{}".to_vec(), "the wrong content type"),
            (
                "application/x-www-form-urlencoded",
                b"a=b".to_vec(),
                "a form",
            ),
        ] {
            let response = app
                .client
                .request(method.clone(), &path)
                .header("cookie", &cookie)
                .content_type(content_type)
                .body(body)
                .send()
                .await
                .0;
            let status = response.status();
            let content_type_sent = response
                .headers()
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let text = response.into_body().into_string().await.unwrap();
            let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let reply = crate::helpers::Reply {
                status,
                headers: {
                    let mut headers = poem::http::HeaderMap::new();
                    if let Some(value) = content_type_sent {
                        headers.insert("content-type", value.parse().unwrap());
                    }
                    headers
                },
                json,
                text,
            };
            assert_json_error(&reply, &format!("{method} {path} with {what}"));
        }
    }
}
