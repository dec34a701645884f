//! Per-caller rate limits (`roster serve --rate-limit LIMIT/SECONDS`):
//! every answer carries the X-RateLimit-* headers, a caller over budget
//! gets 429 in the JSON error shape with an integer Retry-After, other
//! callers keep their own budget, and without the option nothing changes.

use roster::app::{self, ServeOptions};
use roster_core::Policy;
use roster_http::middleware::ratelimit::RateLimit;

use crate::helpers::{assert_error, basic, Resp, TestApp, ADMIN_TOKEN};

fn header(r: &Resp, name: &str) -> Option<u64> {
    r.headers.get(name).map(|v| v.to_str().unwrap().parse().unwrap())
}

#[tokio::test]
async fn a_caller_over_budget_gets_429_with_retry_after_and_the_rate_limit_headers() {
    let plain = TestApp::spawn().await;
    let tmp = tempfile::TempDir::new().unwrap();
    let opts = ServeOptions {
        db: tmp.path().join("roster.db").to_string_lossy().into_owned(),
        listen: "127.0.0.1:0".into(),
        public_url: None,
        policy: Policy::default(),
        admin_token: Some(ADMIN_TOKEN.into()),
        rate_limit: Some(RateLimit::new(5, 60)),
        seeded: false,
        testing: Default::default(),
    };
    let running = app::start(&opts, std::future::pending()).await.unwrap();
    // Borrow the helpers' client by pointing a TestApp-made Api at this server.
    let api = |auth: &str| plain.with_auth(auth).at(&running.url);
    let admin = api(&basic("admin@example.com", ADMIN_TOKEN));
    for left in (0..5).rev() {
        let r = admin.get("/wiki/rest/api/group").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(header(&r, "x-ratelimit-limit"), Some(5));
        assert_eq!(header(&r, "x-ratelimit-remaining"), Some(left));
        assert_eq!(header(&r, "x-ratelimit-interval-seconds"), Some(60));
        assert_eq!(header(&r, "x-ratelimit-fillrate"), Some(5));
    }
    let r = admin.get("/wiki/rest/api/group").await;
    assert_error(&r, 429);
    let retry = header(&r, "retry-after").expect("Retry-After");
    assert!((1..=12).contains(&retry), "Retry-After {retry}");
    assert_eq!(header(&r, "x-ratelimit-remaining"), Some(0));
    let again = admin.get("/wiki/rest/api/group").await;
    assert_error(&again, 429);
    assert!(header(&again, "retry-after").unwrap() >= retry.saturating_sub(1));
    // Another caller (anonymous, keyed by address) has its own budget.
    let anon = plain.anon().at(&running.url);
    let r = anon.get("/wiki/rest/api/group").await;
    assert_error(&r, 401);
    assert_eq!(header(&r, "x-ratelimit-remaining"), Some(4));
}

#[tokio::test]
async fn without_a_configured_limit_no_rate_limit_headers_are_sent() {
    let app = TestApp::spawn().await;
    let r = app.admin().get("/wiki/rest/api/group").await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("x-ratelimit-limit").is_none());
}
