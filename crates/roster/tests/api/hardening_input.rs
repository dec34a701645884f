//! Hostile input over HTTP: oversized bodies, malformed and deeply nested
//! JSON, over-long names, control characters and invalid UTF-8 in paths
//! and queries, and bulk lists over their caps. Every refusal is a 4xx in
//! the JSON error shape and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_error, TestApp};

const JSON: (&str, &str) = ("Content-Type", "application/json");

#[tokio::test]
async fn a_body_one_byte_over_the_cap_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let cap = roster_http::wire::body::MAX_BODY;
    let mut body = format!(r#"{{"name":"big","pad":"{}"}}"#, "x".repeat(cap)).into_bytes();
    body.truncate(cap + 1);
    let r = app.admin().raw(Method::POST, "/wiki/rest/api/group", &[JSON], body).await;
    assert_error(&r, 413);
    let (head, tail) = (r#"{"name":"fits","pad":""#, r#""}"#);
    let exactly = format!("{head}{}{tail}", " ".repeat(cap - head.len() - tail.len()));
    assert_eq!(exactly.len(), cap);
    let r = app.admin().raw(Method::POST, "/wiki/rest/api/group", &[JSON], exactly.into_bytes()).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn deeply_nested_or_malformed_json_is_a_400_naming_the_body() {
    let app = TestApp::spawn().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_obj = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    for body in [deep, nested_obj, "{".into(), r#"{"name":}"#.into(), "\u{0}".into(), "[1,2".into(), "nul".into()] {
        let r = app.admin().raw(Method::POST, "/wiki/rest/api/group", &[JSON], body.into_bytes()).await;
        assert_error(&r, 400);
        let message = r.body["message"].as_str().unwrap();
        assert!(message.contains("'body'") || message.contains("'name'"), "{}", r.text);
    }
    let r = app.admin().raw(Method::POST, "/wiki/rest/api/group", &[JSON], vec![0xff, 0xfe, b'{']).await;
    assert_error(&r, 400);
    assert_eq!(app.view().group_count(), 2, "nothing was created");
}

#[tokio::test]
async fn names_over_255_characters_or_with_control_characters_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for name in ["x".repeat(256), "é".repeat(256), "tab\there".into(), "nul\u{0}".into(), "bell\u{7}".into()] {
        let r = admin.post("/wiki/rest/api/group", json!({ "name": name })).await;
        assert_error(&r, 400);
        assert!(r.body["message"].as_str().unwrap().contains("'name'"), "{}", r.text);
    }
    let r = admin.post("/wiki/rest/api/group", json!({ "name": "é".repeat(255) })).await;
    assert_eq!(r.status, 201, "255 characters are fine: {}", r.text);
}

#[tokio::test]
async fn control_characters_and_invalid_utf8_in_paths_and_queries_are_400s() {
    let app = TestApp::spawn().await;
    app.group("team").await;
    let admin = app.admin();
    for path in [
        "/wiki/rest/api/group/te%00am",
        "/wiki/rest/api/group/%ff%fe",
        "/wiki/rest/api/group/a%0Ab/member",
        "/wiki/rest/api/group/by-name?name=te%00am",
        "/wiki/rest/api/group/by-name?name=%C3",
        "/wiki/rest/api/group/member?name=%7F",
        "/wiki/rest/api/user?accountId=%e2%82",
        "/rest/api/group/te%01am",
        "/rest/extender/1.0/group/getUsers/te%00am",
    ] {
        let r = admin.get(path).await;
        assert_error(&r, 400);
        let message = r.body["message"].as_str().unwrap();
        assert!(message.contains("'path'") || message.contains("'query'"), "{path}: {message}");
    }
    let r = admin.delete("/wiki/rest/api/group?name=te%00am").await;
    assert_error(&r, 400);
    assert!(app.view().group_name_taken("team"));
}

#[tokio::test]
async fn bulk_lookups_return_at_most_their_cap() {
    let app = TestApp::spawn().await;
    let ids = app.users("bulk", 250).await;
    let query: Vec<String> = ids.iter().map(|a| format!("accountId={a}")).collect();
    let r = app.admin().get(&format!("/wiki/rest/api/user/bulk?{}", query.join("&"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["results"].as_array().unwrap().len(), roster_core::page::MAX_LIMIT);
    let r = app.admin().get("/wiki/rest/api/group?limit=100000").await;
    assert_eq!(r.body["limit"], roster_core::page::MAX_LIMIT);
}
