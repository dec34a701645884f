//! Request ids: roster mints its own for every request, and that one is
//! what audit records and `X-Request-Id` carry; a caller's `X-Request-Id`
//! (when sane: 1 to 128 visible ASCII characters) is kept apart, echoed in
//! `X-Client-Request-Id` and logged as `client_request_id`, never taken as
//! the request's id.

use reqwest::Method;
use roster_core::audit::AuditQuery;

use crate::helpers::TestApp;

async fn audit_request_ids(app: &TestApp, target_name: &str) -> Vec<String> {
    let page = app.system().audit_log(AuditQuery { limit: 10_000, ..Default::default() }).await.unwrap();
    page.records.into_iter().filter(|r| r.target_name == target_name).map(|r| r.request_id).collect()
}

#[tokio::test]
async fn an_audit_record_carries_rosters_request_id_even_when_the_caller_sends_its_own() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .raw(
            Method::POST,
            "/wiki/rest/api/group",
            &[("Content-Type", "application/json"), ("X-Request-Id", "r0")],
            br#"{"name":"id-checked"}"#.to_vec(),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let ours = r.headers["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(ours, "r0", "the caller chose roster's id");
    assert!(ours.starts_with('r') && u64::from_str_radix(&ours[1..], 16).is_ok(), "{ours}");
    assert_eq!(r.headers["x-client-request-id"], "r0");
    assert_eq!(audit_request_ids(&app, "id-checked").await, vec![ours]);
}

#[tokio::test]
async fn a_refused_sign_in_is_audited_under_rosters_id_and_insane_client_ids_are_dropped() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(129);
    for theirs in ["with space", long.as_str(), ""] {
        let r = app
            .with_auth(&crate::helpers::basic("nobody-here@example.com", "wrong"))
            .raw(Method::GET, "/wiki/rest/api/user/current", &[("X-Request-Id", theirs)], vec![])
            .await;
        assert_eq!(r.status, 401);
        assert!(r.headers.get("x-client-request-id").is_none(), "{theirs:?} was echoed");
        assert!(r.headers["x-request-id"].to_str().unwrap().starts_with('r'));
    }
    let r = app
        .with_auth(&crate::helpers::basic("nobody-here@example.com", "wrong"))
        .raw(Method::GET, "/wiki/rest/api/user/current", &[("X-Request-Id", "trace-from-a-proxy")], vec![])
        .await;
    let ours = r.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(r.headers["x-client-request-id"], "trace-from-a-proxy");
    let page = app.system().audit_log(AuditQuery { limit: 10_000, ..Default::default() }).await.unwrap();
    let ids: Vec<&str> =
        page.records.iter().filter(|r| r.action == "auth.refused").map(|r| r.request_id.as_str()).collect();
    assert!(ids.contains(&ours.as_str()), "{ours} not among {ids:?}");
    assert!(!ids.contains(&"trace-from-a-proxy"), "{ids:?}");
}
