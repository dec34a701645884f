//! Who pays the rate limit (`--rate-limit`): the account a request signed
//! in as, or its source address when it has no valid credentials; never
//! the login it merely claims. Each test serves the TestApp's directory on
//! a second, rate-limited listener and sends from distinct loopback
//! addresses (127.0.0.x, 127.0.y.z) to be distinct sources.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use roster_core::directory::UserInput;
use roster_http::middleware::ratelimit::RateLimit;
use roster_http::AppState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{basic, TestApp};

/// The TestApp's directory behind a listener with a rate limit.
struct Limited {
    url: String,
    state: AppState,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Limited {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn limited(app: &TestApp, limit: RateLimit) -> Limited {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(app.dir.clone(), &url, Some(limit));
    let server = tokio::spawn(roster_http::serve(listener, roster_http::app(state.clone()), std::future::pending()));
    Limited { url, state, server }
}

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap()
}

/// What the rate limit shows of an answer.
#[derive(Debug)]
struct Seen {
    status: u16,
    /// `X-RateLimit-Remaining`.
    remaining: Option<u64>,
    retry_after: Option<u64>,
    /// Refused by the rate limit (not by the sign-in throttle).
    over_budget: bool,
}

/// A GET with `auth`, as the rate limit shows it.
async fn get(http: &reqwest::Client, url: &str, auth: Option<&str>) -> Seen {
    let mut req = http.get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let r = req.send().await.unwrap();
    let num = |name: &str| r.headers().get(name).map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let (status, remaining, retry_after) = (r.status().as_u16(), num("x-ratelimit-remaining"), num("retry-after"));
    let over_budget = status == 429 && r.text().await.unwrap().contains("Rate limit exceeded");
    Seen { status, remaining, retry_after, over_budget }
}

/// A failed sign-in's answer: 401, or the sign-in throttle's 429.
fn refused_sign_in(s: &Seen) -> bool {
    s.status == 401 || (s.status == 429 && !s.over_budget)
}

/// A Bearer token no one holds, different for every call.
fn random_bearer() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("Bearer rst_invented-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

#[tokio::test]
async fn wrong_secrets_naming_a_victim_spend_the_senders_budget_and_never_the_victims() {
    let app = TestApp::spawn().await;
    let (_, victim) = app.plain_user("victim").await;
    let srv = limited(&app, RateLimit::new(20, 3600)).await;
    let current = format!("{}/wiki/rest/api/user/current", srv.url);
    let attacker = client_from("127.0.0.2");
    let wrong = basic("victim@example.com", "not-the-victims-token");
    for i in 0..25u64 {
        let seen = get(&attacker, &current, Some(&wrong)).await;
        if i < 20 {
            // Either way the sender's own address paid for it.
            assert!(refused_sign_in(&seen), "attempt {i}: {seen:?}");
            assert_eq!(seen.remaining, Some(19 - i), "attempt {i}: {seen:?}");
        } else {
            assert!(seen.over_budget && seen.remaining == Some(0), "attempt {i}: {seen:?}");
            assert!(seen.retry_after.is_some_and(|s| s >= 1), "attempt {i}: {seen:?}");
        }
    }
    // The victim, from its own address, still has its whole budget.
    let victim = victim.at(&srv.url);
    let mut ok = 0;
    for i in 0..21 {
        let r = victim.get("/wiki/rest/api/user/current").await;
        match r.status.as_u16() {
            200 => ok += 1,
            429 => assert_eq!(i, 20, "the victim was refused after {ok} successes"),
            other => panic!("victim got {other}: {}", r.text),
        }
    }
    assert_eq!(ok, 20, "the victim's successes");
}

#[tokio::test]
async fn invented_bearer_tokens_from_one_source_share_its_budget_whatever_the_route() {
    let app = TestApp::spawn().await;
    let srv = limited(&app, RateLimit::new(10, 3600)).await;
    let groups = format!("{}/wiki/rest/api/group", srv.url);
    let health = format!("{}/healthz", srv.url);
    let from = client_from("127.0.0.3");
    let mut answers = Vec::new();
    for i in 0..14 {
        // Half of them at a route that never looks at credentials.
        let url = if i % 2 == 0 { &groups } else { &health };
        answers.push(get(&from, url, Some(&random_bearer())).await);
    }
    for (i, seen) in answers.iter().enumerate() {
        match (i < 10, i % 2) {
            (true, 0) => assert!(refused_sign_in(seen), "request {i}: {answers:?}"),
            (true, _) => assert_eq!(seen.status, 200, "request {i}: {answers:?}"),
            (false, _) => assert!(seen.over_budget, "request {i}: {answers:?}"),
        }
        assert_eq!(seen.remaining, Some(9u64.saturating_sub(i as u64)), "request {i}: {answers:?}");
    }
    // The same source without credentials: the same, spent budget.
    let seen = get(&from, &groups, None).await;
    assert!(seen.over_budget, "{seen:?}");
    assert!(seen.retry_after.is_some_and(|s| (1..=360).contains(&s)), "{seen:?}");
    // Another source is not affected.
    let seen = get(&client_from("127.0.0.4"), &groups, Some(&random_bearer())).await;
    assert!(refused_sign_in(&seen) && seen.remaining == Some(9), "{seen:?}");
}

#[tokio::test]
async fn every_credential_form_of_one_user_shares_one_budget() {
    let app = TestApp::spawn().await;
    let input = UserInput {
        display_name: "Forms".into(),
        email: "forms@example.com".into(),
        username: Some("forms".into()),
        password: Some("correct horse battery staple".into()),
        active: true,
        ..UserInput::default()
    };
    let u = app
        .system()
        .create_user(&input, roster_core::directory::Joins::Groups(vec!["confluence-users".into()]))
        .await
        .unwrap();
    let token = app.system().issue_token(u.id, "forms").await.unwrap();
    let other = app.system().issue_token(u.id, "forms-2").await.unwrap();
    let forms = [
        basic("forms@example.com", &token),
        basic("forms", "correct horse battery staple"),
        format!("Bearer {other}"),
        basic("FORMS@example.com", "correct horse battery staple"),
    ];
    let srv = limited(&app, RateLimit::new(6, 3600)).await;
    let current = format!("{}/wiki/rest/api/user/current", srv.url);
    let http = reqwest::Client::new();
    let mut seen = Vec::new();
    for i in 0..8 {
        seen.push(get(&http, &current, Some(&forms[i % forms.len()])).await);
    }
    let statuses: Vec<u16> = seen.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 429], "{seen:?}");
    assert!(seen[6].over_budget && seen[7].over_budget, "{seen:?}");
    let remaining: Vec<Option<u64>> = seen.iter().map(|a| a.remaining).collect();
    assert_eq!(remaining[..6], [Some(5), Some(4), Some(3), Some(2), Some(1), Some(0)], "{seen:?}");
    // Spending the user's budget spent nothing of the address's.
    let seen = get(&http, &current, None).await;
    assert_eq!((seen.status, seen.remaining), (401, Some(5)));
}

/// One GET from `source` on a fresh connection, with a made-up Bearer
/// token: whether the rate limit refused it.
async fn raw_get_from(source: IpAddr, port: u16, path: &str) -> bool {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((source, 0).into()).unwrap();
    let mut stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        random_bearer()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 401") || text.starts_with("HTTP/1.1 429"), "{text}");
    text.contains("Rate limit exceeded")
}

#[tokio::test]
async fn a_flood_of_new_sources_stays_within_the_key_cap_and_leaves_held_budgets_alone() {
    let app = TestApp::spawn().await;
    let (_, user) = app.plain_user("steady").await;
    let srv = limited(&app, RateLimit { limit: 5, interval_secs: 3600, max_keys: 50 }).await;
    let port: u16 = srv.url.rsplit(':').next().unwrap().parse().unwrap();
    let limiter = srv.state.limiter.clone().unwrap();
    let user = user.at(&srv.url);
    let home = client_from("127.0.0.1");
    let groups = format!("{}/wiki/rest/api/group", srv.url);
    let held = |r: &crate::helpers::Resp| r.headers["x-ratelimit-remaining"].to_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(held(&user.get("/wiki/rest/api/user/current").await), 4);
    assert_eq!(get(&home, &groups, None).await.remaining, Some(4));
    // 300 sources, each with an invented token: six times the cap.
    let mut over_budget = 0;
    for n in 0..300u32 {
        let source = IpAddr::from([127, 0, 1 + (n / 200) as u8, (n % 200) as u8 + 1]);
        over_budget += usize::from(raw_get_from(source, port, "/wiki/rest/api/group").await);
    }
    let (accounts, sources) = limiter.keys();
    assert!(sources <= 50, "{sources} source keys held, cap 50");
    assert_eq!(accounts, 1, "only the account that signed in has a budget");
    // 127.0.0.1 holds one key; the first 49 newcomers got budgets of their
    // own, the rest shared the overflow budget (5 requests).
    assert_eq!(over_budget, 300 - 49 - 5);
    // The budgets the tables held are their own still.
    assert_eq!(held(&user.get("/wiki/rest/api/user/current").await), 3);
    assert_eq!(get(&home, &groups, None).await.remaining, Some(3));
}
