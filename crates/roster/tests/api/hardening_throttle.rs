//! Brute force without lockout denial of service: failed sign-ins are
//! throttled per (login, source address). Clients here bind distinct
//! loopback addresses (127.0.0.2, 127.0.0.3) to be distinct sources.

use std::net::IpAddr;

use roster_core::directory::{UserInput, THROTTLE_AFTER};

use crate::helpers::{assert_error, basic, TestApp};

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap()
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

async fn current(http: &reqwest::Client, app: &TestApp, auth: &str) -> Answer {
    let r =
        http.get(format!("{}/wiki/rest/api/user/current", app.url)).header("Authorization", auth).send().await.unwrap();
    let status = r.status().as_u16();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "date" | "x-request-id"))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    Answer { status, headers, text: r.text().await.unwrap() }
}

async fn victim(app: &TestApp) -> String {
    let input = UserInput {
        display_name: "Victim".into(),
        email: "victim@example.com".into(),
        username: Some("victim".into()),
        password: Some("correct horse battery staple".into()),
        active: true,
        ..UserInput::default()
    };
    let u = app
        .system()
        .create_user(&input, roster_core::directory::Joins::Groups(vec!["confluence-users".into()]))
        .await
        .unwrap();
    app.system().issue_token(u.id, "victim").await.unwrap()
}

#[tokio::test]
async fn failures_from_one_source_are_throttled_without_hashing_while_the_owner_keeps_working() {
    let app = TestApp::spawn().await;
    let token = victim(&app).await;
    let attacker = client_from("127.0.0.2");
    let owner = client_from("127.0.0.1");
    let wrong = basic("victim@example.com", "wrong password");
    for i in 0..THROTTLE_AFTER {
        let r = current(&attacker, &app, &wrong).await;
        assert_eq!(r.status, 401, "failure {i}: {}", r.text);
    }
    let hashed = app.dir.password_checks();
    for _ in 0..25 {
        let r = current(&attacker, &app, &wrong).await;
        assert_eq!(r.status, 429, "{}", r.text);
        let retry = r.headers.iter().find(|(k, _)| k == "retry-after").map(|(_, v)| v.clone()).unwrap();
        assert!(retry.parse::<u64>().unwrap() >= 1, "Retry-After {retry}");
        let body: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(body["statusCode"], 429);
    }
    // Even the right password is not tried from the throttled source.
    let right = basic("victim@example.com", "correct horse battery staple");
    assert_eq!(current(&attacker, &app, &right).await.status, 429);
    assert_eq!(app.dir.password_checks(), hashed, "throttled attempts ran argon2");
    // The owner, from another source, is not locked out.
    assert_eq!(current(&owner, &app, &basic("victim@example.com", &token)).await.status, 200);
    assert_eq!(current(&owner, &app, &format!("Bearer {token}")).await.status, 200);
    assert_eq!(current(&owner, &app, &right).await.status, 200);
    // Other accounts from the attacker's address are not affected either.
    assert_eq!(current(&attacker, &app, &basic("admin@example.com", crate::helpers::ADMIN_TOKEN)).await.status, 200);
}

#[tokio::test]
async fn an_unknown_account_and_a_wrong_password_get_byte_identical_answers() {
    let app = TestApp::spawn().await;
    victim(&app).await;
    let http = client_from("127.0.0.3");
    for round in 0..THROTTLE_AFTER + 2 {
        let known = current(&http, &app, &basic("victim@example.com", "nope")).await;
        let unknown = current(&http, &app, &basic("nobody@example.com", "nope")).await;
        assert_eq!(known.status, unknown.status, "round {round}");
        assert_eq!(known.headers, unknown.headers, "round {round}");
        assert_eq!(known.text, unknown.text, "round {round}");
        let expected = if round < THROTTLE_AFTER { 401 } else { 429 };
        assert_eq!(known.status, expected, "round {round}: {}", known.text);
    }
    // 127.0.0.1 has no failures, so the same credentials from there: 401.
    let r = app.with_auth(&basic("nobody@example.com", "nope")).get("/wiki/rest/api/user/current").await;
    assert_error(&r, 401);
}

#[tokio::test]
async fn refused_sign_ins_are_audited_with_their_source_and_never_their_secret() {
    let app = TestApp::spawn().await;
    victim(&app).await;
    let http = client_from("127.0.0.2");
    current(&http, &app, &basic("victim@example.com", "hunter2-guess")).await;
    let r = app.admin().get("/wiki/rest/api/audit?searchString=victim%40example.com").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let records = r.body["results"].as_array().unwrap();
    let refused: Vec<_> = records.iter().filter(|x| x["summary"] == "Authentication refused").collect();
    assert_eq!(refused.len(), 1, "{}", r.text);
    assert_eq!(refused[0]["remoteAddress"], "127.0.0.2");
    assert_eq!(refused[0]["affectedObject"]["name"], "victim@example.com");
    assert!(!r.text.contains("hunter2-guess"));
    // A login that names no account (perhaps a password typed into the
    // wrong field) is recorded as a digest only.
    current(&http, &app, &basic("hunter2-typed-as-login", "x")).await;
    let r = app.admin().get("/wiki/rest/api/audit").await;
    assert!(!r.text.contains("hunter2-typed-as-login"), "{}", r.text);
    assert!(r.text.contains("unknown login #"), "{}", r.text);
}
