//! The API reference page at `/api/v1/docs`: rendered on the server from the served OpenAPI
//! document, every operation on it, accessible markup, nothing from the document unescaped.

use crate::helpers::{Call, TestApp, API};
use poem::http::{Method, StatusCode};
use sensei_http::api::reference;

/// `text` as askama writes it into HTML (numeric character references).
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Every operation of the served document: (method, path, operationId, summary).
async fn operations(app: &TestApp) -> Vec<(String, String, String, String)> {
    let reply = app.send(Call::get(format!("{API}/openapi.json"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = &reply.json;
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((
                method.to_ascii_uppercase(),
                format!("{API}{path}"),
                operation["operationId"].as_str().unwrap().to_owned(),
                operation["summary"].as_str().unwrap().to_owned(),
            ));
        }
    }
    found
}

#[tokio::test]
async fn the_reference_lists_every_operation_of_the_document() {
    let app = TestApp::spawn().await;
    let operations = operations(&app).await;
    assert!(operations.len() >= 15, "{operations:?}");
    let page = app.send(Call::get(format!("{API}/docs"))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = &page.text;
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(html.contains("<main id=\"main\">"), "the site's layout");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    assert!(!html.contains("<script"), "no script needed");
    assert!(
        !html.contains("style=\""),
        "no inline style: the pages' policy allows none"
    );
    assert!(
        html.contains("<a href=\"/api/v1/openapi.json\">"),
        "links the raw document"
    );
    assert_eq!(
        html.matches("<article class=\"panel operation\"").count(),
        operations.len(),
        "one section per operation"
    );
    for (method, path, id, summary) in &operations {
        let section = format!("<h3 id=\"op-{id}\">{}</h3>", escaped(summary));
        assert!(html.contains(&section), "no section {section}");
        assert!(
            html.contains(&format!("<a href=\"#op-{id}\">")),
            "{id} not in the contents"
        );
        let endpoint = format!(">{method}</span> <code>{}</code>", escaped(path));
        assert!(html.contains(&endpoint), "{id}: no {endpoint}");
        assert!(
            html.contains(&format!("<code>{id}</code>")),
            "{id}: no operation id"
        );
    }
    // The same page with a trailing slash; other methods are the API's JSON 405.
    let slash = app.send(Call::get(format!("{API}/docs/"))).await;
    assert_eq!((slash.status, &slash.text), (StatusCode::OK, html));
    app.send(Call::new(Method::POST, format!("{API}/docs")).body("application/json", "{}"))
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn the_reference_shows_parameters_bodies_responses_and_schemas() {
    let app = TestApp::spawn().await;
    let html = app.send(Call::get(format!("{API}/docs"))).await.text;
    // Sign-in reads a SignIn body; its section lists the members.
    assert!(html.contains("<a href=\"#schema-SignIn\">SignIn</a> <span class=\"media-type\">(application/json; charset=utf-8)</span>, required"));
    assert!(html.contains("<h3 id=\"schema-SignIn\">SignIn</h3>"));
    assert!(html.contains("<td><code>password</code></td>"));
    // A path parameter with its type, a response with its status and schema.
    assert!(html.contains(
        "<td><code>id</code></td>\n          <td>path</td>\n          <td>integer (int32)</td>"
    ));
    assert!(html.contains("<td>422</td>"));
    assert!(html.contains("<a href=\"#schema-Error\">Error</a>"));
    // Enumerations list their values.
    assert!(html.contains("<code>needs_work_feedback</code>, <code>digi_trainer_engagement</code>"));
}

#[tokio::test]
async fn the_reference_escapes_what_the_document_says() {
    // The served document's own quotes, written escaped.
    let app = TestApp::spawn().await;
    let html = app.send(Call::get(format!("{API}/docs"))).await.text;
    assert!(html.contains("<code>{&#34;email&#34;, &#34;password&#34;}</code>"));
    assert!(!html.contains("{\"email\""));
    // A hostile document: markup in every field stays text.
    let hostile = serde_json::json!({
        "info": {"title": "<script>alert(1)</script>", "version": "1",
                 "description": "<img src=x onerror=alert(1)> `<b>`"},
        "paths": {"/x": {"get": {"operationId": "a\"b", "summary": "<i>x</i>",
            "parameters": [{"name": "<n>", "in": "query"}],
            "responses": {"200": {"description": "<svg onload=alert(1)>"}}}}}
    });
    let page = reference::render(&hostile.to_string(), "/api/v1/openapi.json").unwrap();
    for raw in ["<script>", "<img", "<b>", "<i>", "<n>", "<svg", "a\"b"] {
        assert!(!page.contains(raw), "{raw} reached the page unescaped");
    }
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(page.contains("<code>&#60;b&#62;</code>"));
    // Not a panic, not a page: a document that is not JSON is an error.
    assert!(reference::render("{", "/x").is_err());
}
