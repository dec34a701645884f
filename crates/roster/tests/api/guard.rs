//! The guard around every route, on routes that exist only here: a
//! handler that panics, and a GET the guard answers without the router.

use axum::routing::get;
use roster_http::{AppState, Guarded};

use crate::helpers::TestApp;

async fn boom() -> &'static str {
    panic!("boom")
}

#[tokio::test]
async fn a_handler_that_panics_gets_a_json_500_with_its_request_id_and_the_server_keeps_answering() {
    let app = TestApp::spawn().await;
    let state = AppState::new(app.dir.clone(), "http://127.0.0.1", None);
    let router = axum::Router::new().route("/boom", get(boom)).route("/fine", get(|| async { "fine" }));
    let guarded = Guarded::new(router, state.clone(), ["/boom", "/fine"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(roster_http::serve(listener, guarded, std::future::pending()));
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let r = http.get(format!("{url}/boom")).header("X-Request-Id", "trace-7").send().await.unwrap();
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()["x-client-request-id"], "trace-7");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["statusCode"], 500, "{body}");
        assert_eq!(body["message"], "Internal server error", "{body}");
    }
    let r = http.get(format!("{url}/fine")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["x-request-id"].to_str().unwrap().starts_with('r'));
    assert_eq!(r.text().await.unwrap(), "fine");
    let metrics = state.telemetry.encode(&app.dir).unwrap();
    assert!(metrics.contains(r#"roster_http_requests_total{route="/boom",method="GET",status="500"} 2"#), "{metrics}");
    server.abort();
}

#[tokio::test]
async fn a_direct_get_handler_answers_gets_and_the_router_answers_every_other_method() {
    let app = TestApp::spawn().await;
    let state = AppState::new(app.dir.clone(), "http://127.0.0.1", None);
    let router = axum::Router::new().route("/page", get(|| async { "routed" }).post(|| async { "posted" }));
    let guarded = Guarded::new(router, state.clone(), ["/page"])
        .with_direct_gets([("/page", roster_http::middleware::direct::direct(|| async { "direct" }))]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/page", listener.local_addr().unwrap());
    let server = tokio::spawn(roster_http::serve(listener, guarded, std::future::pending()));
    let http = reqwest::Client::new();
    let r = http.get(&url).header("X-Request-Id", "trace-8").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-client-request-id"], "trace-8");
    assert_eq!(r.headers()["content-length"], "6");
    assert_eq!(r.text().await.unwrap(), "direct");
    let r = http.head(&url).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-length"].to_str().unwrap()), (200, "6"));
    assert_eq!(http.post(&url).send().await.unwrap().text().await.unwrap(), "posted");
    assert_eq!(http.put(&url).send().await.unwrap().status(), 405);
    let metrics = state.telemetry.encode(&app.dir).unwrap();
    assert!(metrics.contains(r#"roster_http_requests_total{route="/page",method="GET",status="200"} 1"#), "{metrics}");
    server.abort();
}
