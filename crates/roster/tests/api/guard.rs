//! The guard around every route, on a route that exists only here: a
//! handler that panics.

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
        assert_eq!(r.headers()["x-request-id"], "trace-7");
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
