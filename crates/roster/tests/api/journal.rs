//! The request journal (`/rest/roster/1.0/requests`): off until switched
//! on, then every answered request but roster's own control routes, newest
//! first, each filter, the count (WireMock's `verify`), redaction of
//! secrets, the changes a request made, clearing and resizing.

use serde_json::{json, Value};

use crate::helpers::{assert_error, basic, enc, Api, TestApp, ADMIN_TOKEN};

const REQUESTS: &str = "/rest/roster/1.0/requests";
const SETTINGS: &str = "/rest/roster/1.0/requests/settings";
const COUNT: &str = "/rest/roster/1.0/requests/count";
const API: &str = "/wiki/rest/api";

async fn journal_on(app: &TestApp, size: u64) {
    let r = app.admin().put(SETTINGS, Some(json!({"enabled": true, "size": size}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn entries(admin: &Api, query: &str) -> Vec<Value> {
    let r = admin.get(&format!("{REQUESTS}{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["results"].as_array().unwrap().clone()
}

async fn count(admin: &Api, matcher: Value) -> u64 {
    let r = admin.post(COUNT, matcher).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["count"].as_u64().unwrap()
}

fn paths(es: &[Value]) -> Vec<String> {
    es.iter().map(|e| format!("{} {}", e["method"].as_str().unwrap(), e["path"].as_str().unwrap())).collect()
}

#[tokio::test]
async fn the_journal_is_off_until_switched_on_and_then_records_requests_newest_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    assert_eq!(admin.get(SETTINGS).await.body, json!({"enabled": false, "size": 0, "held": 0}));
    admin.get(&format!("{API}/group")).await;
    assert!(entries(&admin, "").await.is_empty());
    journal_on(&app, 50).await;
    admin.get(&format!("{API}/group")).await;
    admin.get("/rest/api/group").await;
    let es = entries(&admin, "").await;
    assert_eq!(paths(&es), vec!["GET /rest/api/group", "GET /wiki/rest/api/group"]);
    assert_eq!(es[0]["dialect"], "dc");
    assert_eq!(es[1]["dialect"], "cloud");
    assert_eq!(es[1]["route"], "/wiki/rest/api/group");
    assert_eq!(es[1]["status"], 200);
    assert_eq!(es[1]["caller"]["username"], "admin");
    assert!(es[0]["id"].as_u64() > es[1]["id"].as_u64());
    assert!(es[1]["requestId"].as_str().unwrap().starts_with('r'));
}

#[tokio::test]
async fn roster_s_own_control_routes_are_not_recorded() {
    let app = TestApp::spawn().await;
    journal_on(&app, 50).await;
    let admin = app.admin();
    admin.get(REQUESTS).await;
    admin.get("/rest/roster/1.0/faults").await;
    admin.get("/rest/roster/1.0/openapi.json").await;
    assert!(entries(&admin, "").await.is_empty());
}

#[tokio::test]
async fn a_read_answered_without_the_router_is_recorded_with_its_route_decoded_query_and_caller() {
    let app = TestApp::spawn().await;
    let (acc, plain) = app.plain_user("pat").await;
    journal_on(&app, 50).await;
    let r = plain.get(&format!("{API}/user/memberof?accountId={}&limit=5", enc(&acc))).await;
    assert_eq!(r.status, 200);
    let es = entries(&app.admin(), "").await;
    assert_eq!(es.len(), 1);
    let e = &es[0];
    assert_eq!(e["route"], "/wiki/rest/api/user/memberof");
    assert_eq!(e["query"], json!({"accountId": acc, "limit": "5"}));
    assert_eq!(e["caller"]["accountId"], json!(acc));
    assert_eq!(e["body"], Value::Null);
    assert_eq!(e["fault"], Value::Null);
    assert_eq!(r.headers["x-request-id"].to_str().unwrap(), e["requestId"]);
}

#[tokio::test]
async fn each_filter_narrows_the_journal_to_the_requests_it_names() {
    let app = TestApp::spawn().await;
    let (_, plain) = app.plain_user("pat").await;
    let admin = app.admin();
    journal_on(&app, 100).await;
    let before = roster_core::types::now_ms();
    admin.post(&format!("{API}/group"), json!({"name": "alpha"})).await;
    admin.post(&format!("{API}/group"), json!({"name": "beta"})).await;
    plain.get(&format!("{API}/group")).await;
    plain.get(&format!("{API}/group/by-name?name=missing")).await;
    app.anon().get("/rest/api/group").await;
    let after = roster_core::types::now_ms();

    assert_eq!(paths(&entries(&admin, "?method=post").await).len(), 2);
    assert_eq!(entries(&admin, "?route=/wiki/rest/api/group/by-name").await.len(), 1);
    assert_eq!(entries(&admin, "?pathPrefix=/rest/api").await.len(), 1);
    assert_eq!(entries(&admin, &format!("?path={}", enc("/wiki/rest/api/group"))).await.len(), 3);
    assert_eq!(entries(&admin, "?status=404").await.len(), 1);
    assert_eq!(entries(&admin, "?status=401").await.len(), 1);
    assert_eq!(entries(&admin, "?dialect=dc").await.len(), 1);
    assert_eq!(entries(&admin, "?caller=pat").await.len(), 2);
    assert_eq!(entries(&admin, "?caller=pat@example.com").await.len(), 2);
    assert_eq!(entries(&admin, "?caller=admin").await.len(), 2);
    assert_eq!(entries(&admin, "?caller=nobody").await.len(), 0);
    assert_eq!(entries(&admin, "?bodyContains=beta").await.len(), 1);
    assert_eq!(entries(&admin, &format!("?since={before}&until={after}")).await.len(), 5);
    assert_eq!(entries(&admin, &format!("?since={}", after + 1)).await.len(), 0);
    assert_eq!(entries(&admin, "?until=2000-01-01T00:00:00Z").await.len(), 0);
    assert_eq!(entries(&admin, "?faulted=false").await.len(), 5);
    assert_eq!(entries(&admin, "?method=get&caller=pat&status=200").await.len(), 1);
    let limited = admin.get(&format!("{REQUESTS}?limit=2")).await;
    assert_eq!((limited.body["size"].as_u64(), limited.body["total"].as_u64()), (Some(2), Some(5)));
    assert_error(&admin.get(&format!("{REQUESTS}?since=yesterday")).await, 400);
    assert_error(&admin.get(&format!("{REQUESTS}?status=ok")).await, 400);
}

#[tokio::test]
async fn the_count_answers_how_many_recorded_requests_a_matcher_accepts() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    journal_on(&app, 100).await;
    for name in ["one", "two", "three"] {
        admin.post(&format!("{API}/group"), json!({"name": name})).await;
    }
    admin.get(&format!("{API}/group")).await;
    assert_eq!(count(&admin, json!({"method": "POST", "route": "/wiki/rest/api/group"})).await, 3);
    assert_eq!(count(&admin, json!({"method": "POST", "bodyContains": "two", "status": 201})).await, 1);
    assert_eq!(count(&admin, json!({})).await, 4);
    assert_eq!(count(&admin, json!({"method": "DELETE"})).await, 0);
    assert_error(&admin.post(COUNT, json!({"verb": "POST"})).await, 400);
}

#[tokio::test]
async fn credentials_never_reach_the_journal_and_secrets_in_bodies_are_redacted() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    journal_on(&app, 100).await;
    let body = json!({"name": "carol", "password": "hunter2-secret", "nested": {"apiToken": "tok-123"}});
    admin.post("/rest/api/user/current/password", body).await;
    admin
        .raw(
            reqwest::Method::POST,
            "/rest/api/user/current/password",
            &[("Content-Type", "application/x-www-form-urlencoded"), ("X-Atlassian-Token", "no-check")],
            b"username=carol&password=form-secret".to_vec(),
        )
        .await;
    let text = admin.get(REQUESTS).await.text;
    for secret in ["hunter2-secret", "tok-123", "form-secret", ADMIN_TOKEN, &basic("admin@example.com", ADMIN_TOKEN)] {
        assert!(!text.contains(secret), "the journal shows {secret}: {text}");
    }
    assert!(text.contains("[redacted]") && text.contains("carol"), "{text}");
}

#[tokio::test]
async fn an_entry_names_the_changes_its_request_made_and_a_no_op_names_none() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("pat").await;
    let admin = app.admin();
    journal_on(&app, 100).await;
    admin.post(&format!("{API}/group"), json!({"name": "crew"})).await;
    for _ in 0..2 {
        admin.post(&format!("{API}/group/user?name=crew"), json!({"accountId": acc})).await;
    }
    let es = entries(&admin, "?method=POST").await;
    let changes: Vec<Value> = es.iter().map(|e| e["changes"].clone()).collect();
    assert_eq!(changes[0], json!([]), "adding a present member changes nothing");
    assert_eq!(changes[1][0]["action"], "member.add");
    assert_eq!(changes[1][0]["targetName"], "crew");
    assert_eq!(changes[1][0]["object"], json!(acc));
    assert_eq!(changes[2][0]["action"], "group.create");
}

#[tokio::test]
async fn clearing_empties_the_journal_and_a_smaller_size_keeps_only_the_newest() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    journal_on(&app, 100).await;
    for i in 0..5 {
        admin.get(&format!("{API}/group?start={i}")).await;
    }
    let r = admin.put(SETTINGS, Some(json!({"enabled": true, "size": 3}))).await;
    assert_eq!(r.body, json!({"enabled": true, "size": 3, "held": 3}));
    let es = entries(&admin, "").await;
    let starts: Vec<&str> = es.iter().map(|e| e["query"]["start"].as_str().unwrap()).collect();
    assert_eq!(starts, vec!["4", "3", "2"]);
    assert_eq!(admin.delete(REQUESTS).await.status, 204);
    assert!(entries(&admin, "").await.is_empty());
    let off = admin.put(SETTINGS, Some(json!({"enabled": false}))).await;
    assert_eq!(off.body, json!({"enabled": false, "size": 0, "held": 0}));
    admin.get(&format!("{API}/group")).await;
    assert!(entries(&admin, "").await.is_empty());
    assert_error(&admin.put(SETTINGS, Some(json!({"enabled": true, "size": 0}))).await, 400);
}

#[tokio::test]
async fn only_site_admins_read_or_change_the_journal() {
    let app = TestApp::spawn().await;
    let (_, plain) = app.plain_user("pat").await;
    assert_error(&plain.get(REQUESTS).await, 403);
    assert_error(&plain.put(SETTINGS, Some(json!({"enabled": true}))).await, 403);
    assert_error(&app.anon().delete(REQUESTS).await, 401);
}

#[tokio::test]
async fn an_ephemeral_style_start_has_the_journal_on_with_the_size_given() {
    let app = TestApp::spawn_testing(roster::testing::TestingOptions { journal_size: 7, ..Default::default() }).await;
    assert_eq!(app.admin().get(SETTINGS).await.body, json!({"enabled": true, "size": 7, "held": 0}));
}
