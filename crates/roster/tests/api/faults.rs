//! Fault injection (`/rest/roster/1.0/faults`, `roster serve --faults`):
//! each kind of fault as a client meets it, the write that commits and
//! loses its answer (durably), rules that fire N times or with a seeded
//! probability, matching, the journal's marks and the metrics, and the
//! switch that turns it all off.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_error, basic, Api, TestApp, ADMIN_TOKEN};

const FAULTS: &str = "/rest/roster/1.0/faults";
const API: &str = "/wiki/rest/api";

async fn add(app: &TestApp, rules: Value) -> Vec<Value> {
    let r = app.admin().post(FAULTS, rules).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["results"].as_array().unwrap().clone()
}

/// A client of its own, with the admin's credentials and `timeout`.
fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().timeout(timeout).build().unwrap()
}

async fn raw_send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Result<reqwest::Response> {
    let mut req = client(Duration::from_secs(10))
        .request(method, format!("{}{path}", app.url))
        .header("Authorization", basic("admin@example.com", ADMIN_TOKEN));
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await
}

async fn metric(app: &TestApp, kind: &str) -> u64 {
    let text = app.anon().get("/metrics").await.text;
    let key = format!("roster_faults_injected_total{{kind=\"{kind}\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&key)).map_or(0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn a_429_rule_answers_with_retry_after_and_each_dialect_s_rate_limit_headers() {
    let app = TestApp::spawn().await;
    add(&app, json!({"method": "GET", "path": "*/group", "action": "status", "status": 429, "retryAfter": 7})).await;
    let cloud = app.admin().get(&format!("{API}/group")).await;
    assert_error(&cloud, 429);
    let h = &cloud.headers;
    assert_eq!(h["retry-after"], "7");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    assert!(h["x-ratelimit-reset"].to_str().unwrap().ends_with('Z'));
    assert!(h.contains_key("ratelimit-reason"));
    let dc = app.admin().get("/rest/api/group").await;
    assert_error(&dc, 429);
    assert_eq!(dc.headers["retry-after"], "7");
    assert!(dc.headers.contains_key("x-ratelimit-interval-seconds"));
    assert!(dc.headers.contains_key("x-ratelimit-fillrate"));
    assert_eq!(metric(&app, "status").await, 2);
}

#[tokio::test]
async fn server_error_rules_answer_their_status_in_the_error_shape() {
    let app = TestApp::spawn().await;
    for status in [500u16, 502, 503, 504] {
        app.admin().delete(FAULTS).await;
        add(&app, json!({"route": "/wiki/rest/api/group", "action": "status", "status": status})).await;
        let r = app.admin().get(&format!("{API}/group")).await;
        assert_error(&r, status);
        assert_eq!(r.headers.contains_key("retry-after"), status == 503, "{status}");
    }
}

#[tokio::test]
async fn a_delay_rule_holds_the_answer_past_a_short_client_timeout() {
    let app = TestApp::spawn().await;
    add(&app, json!({"path": "/wiki/rest/api/group", "action": "delay", "delayMs": 1500})).await;
    let quick = client(Duration::from_millis(200)).get(format!("{}{API}/group", app.url)).send().await;
    assert!(quick.unwrap_err().is_timeout());
    // A patient client gets the real answer.
    let r = app.admin().get(&format!("{API}/group")).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_delay_range_waits_at_least_its_least_and_the_journal_shows_it() {
    let app = TestApp::spawn().await;
    app.admin().put("/rest/roster/1.0/requests/settings", Some(json!({"enabled": true}))).await;
    add(&app, json!({"path": "/wiki/rest/api/group", "action": "delay", "delayMs": 100, "delayMaxMs": 300, "seed": 1}))
        .await;
    let started = std::time::Instant::now();
    assert_eq!(app.admin().get(&format!("{API}/group")).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(100));
    let e = app.admin().get("/rest/roster/1.0/requests").await.body["results"][0].clone();
    assert_eq!(e["fault"]["kind"], "delay");
    let ms = e["durationMs"].as_f64().unwrap();
    assert!((100.0..1300.0).contains(&ms), "{ms}");
}

#[tokio::test]
async fn a_drop_rule_closes_the_connection_and_does_nothing() {
    let app = TestApp::spawn().await;
    app.admin().put("/rest/roster/1.0/requests/settings", Some(json!({"enabled": true}))).await;
    add(&app, json!({"method": "POST", "route": "/wiki/rest/api/group", "action": "drop"})).await;
    let r = raw_send(&app, Method::POST, &format!("{API}/group"), Some(json!({"name": "lost"}))).await;
    assert!(r.is_err(), "{r:?}");
    assert!(!app.view().group_name_taken("lost"));
    let e = app.admin().get("/rest/roster/1.0/requests?faulted=true").await.body["results"][0].clone();
    assert_eq!((e["status"].clone(), e["fault"]["kind"].clone()), (Value::Null, json!("drop")));
    assert_eq!(metric(&app, "drop").await, 1);
}

#[tokio::test]
async fn apply_then_lose_commits_the_write_durably_and_the_client_sees_a_dropped_connection() {
    let app = TestApp::spawn().await;
    app.admin().put("/rest/roster/1.0/requests/settings", Some(json!({"enabled": true}))).await;
    add(&app, json!({"method": "POST", "route": "/wiki/rest/api/group", "action": "applyThenLose", "times": 1})).await;
    let r = raw_send(&app, Method::POST, &format!("{API}/group"), Some(json!({"name": "committed"}))).await;
    assert!(r.is_err(), "{r:?}");
    // The client retries the non-idempotent call: the write had happened.
    let again = app.admin().post(&format!("{API}/group"), json!({"name": "committed"})).await;
    assert_error(&again, 400);
    let e = app.admin().get("/rest/roster/1.0/requests?faulted=true").await.body["results"][0].clone();
    assert_eq!(e["handlerStatus"], 201);
    assert_eq!(e["status"], Value::Null);
    assert_eq!(e["changes"][0]["action"], "group.create");
    let policy = roster_core::Policy::default();
    let (tmp, db) = app.stop().await;
    let restarted = TestApp::spawn_on(tmp, db, policy).await;
    assert!(restarted.view().group_name_taken("committed"), "the write did not survive a restart");
}

#[tokio::test]
async fn apply_then_lose_can_answer_504_instead() {
    let app = TestApp::spawn().await;
    add(&app, json!({"method": "POST", "action": "applyThenLose", "lose": "504"})).await;
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "timed-out"})).await;
    assert_error(&r, 504);
    assert!(app.view().group_name_taken("timed-out"));
    assert_eq!(metric(&app, "applyThenLose").await, 1);
}

#[tokio::test]
async fn a_rule_with_times_fires_on_the_next_n_matching_requests_only() {
    let app = TestApp::spawn().await;
    add(&app, json!({"path": "/wiki/rest/api/group", "action": "status", "status": 503, "times": 2})).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(app.admin().get(&format!("{API}/group")).await.status.as_u16());
    }
    assert_eq!(seen, vec![503, 503, 200, 200]);
    let listed = app.admin().get(FAULTS).await.body["results"][0].clone();
    assert_eq!((listed["remaining"].as_u64(), listed["fired"].as_u64()), (Some(0), Some(2)));
}

async fn statuses(app: &TestApp, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(app.admin().get(&format!("{API}/group")).await.status.as_u16());
    }
    out
}

#[tokio::test]
async fn a_seeded_probability_replays_the_same_failures_for_the_same_requests() {
    let app = TestApp::spawn().await;
    let rule =
        json!({"path": "/wiki/rest/api/group", "action": "status", "status": 500, "probability": 0.5, "seed": 42});
    add(&app, rule.clone()).await;
    let first = statuses(&app, 40).await;
    app.admin().delete(FAULTS).await;
    add(&app, rule).await;
    assert_eq!(statuses(&app, 40).await, first);
    let failed = first.iter().filter(|s| **s == 500).count();
    assert!((8..=32).contains(&failed), "{failed} of 40 failed: {first:?}");
    // Without a seed one is chosen, and listed so a run can be replayed.
    let listed = add(&app, json!({"action": "drop", "path": "/never", "probability": 0.1})).await;
    assert!(listed[0]["seed"].is_u64());
}

#[tokio::test]
async fn rules_match_on_caller_body_dialect_and_method() {
    let app = TestApp::spawn().await;
    let (_, pat) = app.plain_user("pat").await;
    add(
        &app,
        json!([
            {"caller": "pat@example.com", "dialect": "dc", "action": "status", "status": 502},
            {"method": "POST", "bodyContains": "doomed", "action": "status", "status": 500}
        ]),
    )
    .await;
    assert_error(&pat.get("/rest/api/group").await, 502);
    assert_eq!(pat.get(&format!("{API}/group")).await.status, 200);
    assert_eq!(app.admin().get("/rest/api/group").await.status, 200);
    assert_error(&app.admin().post(&format!("{API}/group"), json!({"name": "doomed"})).await, 500);
    assert_eq!(app.admin().post(&format!("{API}/group"), json!({"name": "spared"})).await.status, 201);
}

#[tokio::test]
async fn the_control_routes_are_never_faulted() {
    let app = TestApp::spawn().await;
    add(&app, json!({"path": "*", "action": "status", "status": 503})).await;
    assert_eq!(app.admin().get(FAULTS).await.status, 200);
    assert_eq!(app.admin().get("/rest/roster/1.0/requests").await.status, 200);
    assert_error(&app.admin().get(&format!("{API}/group")).await, 503);
    assert_eq!(app.admin().delete(FAULTS).await.status, 204);
    assert_eq!(app.admin().get(&format!("{API}/group")).await.status, 200);
}

#[tokio::test]
async fn nonsense_rules_are_refused_naming_the_field_and_nothing_is_added() {
    let app = TestApp::spawn().await;
    let r = app.admin().post(FAULTS, json!([{"action": "drop", "path": "/x"}, {"action": "status"}])).await;
    assert_error(&r, 400);
    assert!(r.text.contains("status"), "{}", r.text);
    assert_error(&app.admin().post(FAULTS, json!({"action": "explode"})).await, 400);
    assert_eq!(app.admin().get(FAULTS).await.body["size"], 0);
    assert_error(&app.admin().delete(&format!("{FAULTS}/99")).await, 404);
}

#[tokio::test]
async fn only_site_admins_manage_faults() {
    let app = TestApp::spawn().await;
    let (_, pat): (String, Api) = app.plain_user("pat").await;
    assert_error(&pat.post(FAULTS, json!({"action": "drop"})).await, 403);
    assert_error(&pat.get(FAULTS).await, 403);
    assert_error(&app.anon().delete(FAULTS).await, 401);
}

#[tokio::test]
async fn with_faults_switched_off_no_rule_can_be_added() {
    let app = TestApp::spawn_testing(roster::testing::TestingOptions { no_faults: true, ..Default::default() }).await;
    assert_error(&app.admin().post(FAULTS, json!({"action": "drop"})).await, 403);
    assert_eq!(app.admin().get(FAULTS).await.body["enabled"], false);
}

#[tokio::test]
async fn rules_from_a_file_are_in_force_from_the_start() {
    let yaml = "rules:\n  - route: /wiki/rest/api/group\n    action: status\n    status: 503\n    retryAfter: 2\n";
    let rules = roster_http::faults::parse_rules(yaml, true).unwrap();
    let app = TestApp::spawn_testing(roster::testing::TestingOptions { faults: rules, ..Default::default() }).await;
    let r = app.admin().get(&format!("{API}/group")).await;
    assert_error(&r, 503);
    assert_eq!(r.headers["retry-after"], "2");
}

#[tokio::test]
async fn one_rule_can_be_removed_by_number() {
    let app = TestApp::spawn().await;
    let listed = add(&app, json!([{"path": "/a", "action": "drop"}, {"path": "/b", "action": "drop"}])).await;
    let first = listed[0]["id"].as_u64().unwrap();
    assert_eq!(app.admin().delete(&format!("{FAULTS}/{first}")).await.status, 204);
    let left = app.admin().get(FAULTS).await.body;
    assert_eq!(left["size"], 1);
    assert_eq!(left["results"][0]["path"], "/b");
}
