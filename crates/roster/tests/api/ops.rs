//! Operations endpoints: health, readiness, metrics and request ids.

use reqwest::Method;

use crate::helpers::TestApp;

#[tokio::test]
async fn health_and_readiness_answer_without_credentials() {
    let app = TestApp::spawn().await;
    let r = app.anon().get("/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");
    let r = app.anon().get("/readyz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ready");
    assert_eq!(r.body["users"], 1, "the first admin");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_group_commits() {
    let app = TestApp::spawn().await;
    app.admin().get("/wiki/rest/api/group").await;
    app.admin().get("/wiki/rest/api/group/by-name?name=nope").await;
    app.admin().post("/wiki/rest/api/group", serde_json::json!({"name": "metered"})).await;
    let dc = app.admin().get("/confluence/rest/api/group/metered").await;
    assert_eq!(dc.status, 200, "{}", dc.text);
    assert!(dc.text.contains("/confluence/rest/api/group/metered"), "links keep the context path: {}", dc.text);
    app.anon().get("/nowhere").await;
    let r = app.anon().get("/metrics").await;
    assert_eq!(r.status, 200);
    let t = &r.text;
    assert!(
        t.contains(r#"roster_http_requests_total{route="/wiki/rest/api/group",method="GET",status="200"} 1"#),
        "{t}"
    );
    assert!(t.contains(r#"route="/wiki/rest/api/group/by-name",method="GET",status="404"} 1"#), "{t}");
    assert!(t.contains(r#"route="/confluence/rest/api/group/{group}",method="GET",status="200"} 1"#), "{t}");
    assert!(t.contains(r#"route="unmatched",method="GET",status="404"} 1"#), "{t}");
    assert!(t.contains("roster_http_request_duration_seconds_bucket"), "{t}");
    assert!(t.contains("roster_store_commit_batch_jobs_count"), "{t}");
    assert!(t.contains("roster_store_commit_seconds_bucket"), "{t}");
    assert!(t.contains("roster_store_size_bytes"), "{t}");
    assert!(t.contains("roster_groups 3"), "{t}");
    assert!(t.trim_end().ends_with("# EOF"), "{t}");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_incoming_one_is_echoed() {
    let app = TestApp::spawn().await;
    let a = app.anon().get("/healthz").await;
    let b = app.anon().get("/nowhere").await;
    let (ia, ib) = (a.headers["x-request-id"].to_str().unwrap(), b.headers["x-request-id"].to_str().unwrap());
    assert!(!ia.is_empty() && ia != ib);
    let r = app.anon().raw(Method::GET, "/healthz", &[("X-Request-Id", "trace-123")], vec![]).await;
    assert_eq!(r.headers["x-client-request-id"], "trace-123");
    assert_ne!(r.headers["x-request-id"], "trace-123");
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(0.0) as u64
}

#[tokio::test]
async fn concurrent_writes_share_durable_commits() {
    let app = TestApp::spawn().await;
    app.group("shared").await;
    let ids = app.users("Batch", 200).await;
    let before = app.anon().get("/metrics").await.text;
    let (commits0, jobs0) = (
        metric(&before, "roster_store_commit_batch_jobs_count "),
        metric(&before, "roster_store_commit_batch_jobs_sum "),
    );
    let admin = app.admin();
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (admin, id) = (admin.clone(), id.clone());
            tokio::spawn(async move {
                admin.post("/wiki/rest/api/group/user?name=shared", serde_json::json!({"accountId": id})).await.status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let after = app.anon().get("/metrics").await.text;
    let commits = metric(&after, "roster_store_commit_batch_jobs_count ") - commits0;
    let jobs = metric(&after, "roster_store_commit_batch_jobs_sum ") - jobs0;
    assert_eq!(jobs, 200, "every write went through the writer");
    assert!(commits < jobs, "{jobs} writes in {commits} commits: concurrent writes share commits");
    assert_eq!(app.member_count("shared"), 200);
}
