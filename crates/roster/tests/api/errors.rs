//! Wire-level behaviour shared by every route: the one error shape,
//! tolerated headers and parameters.

use reqwest::Method;

use crate::helpers::{assert_error, TestApp};

const API: &str = "/wiki/rest/api";

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_the_json_error_shape() {
    let app = TestApp::spawn().await;
    assert_error(&app.admin().get("/wiki/rest/api/nothing-here").await, 404);
    assert_error(&app.admin().get("/nothing").await, 404);
    assert_error(&app.admin().put(&format!("{API}/group"), None).await, 405);
}

#[tokio::test]
async fn malformed_or_missing_json_bodies_are_400_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let json = [("Content-Type", "application/json")];
    for body in [&b"{"[..], b"not json", b"", b"[1,2", b"{\"name\": 5}"] {
        let r = admin.raw(Method::POST, &format!("{API}/group"), &json, body.to_vec()).await;
        assert_error(&r, 400);
        assert!(!r.text.contains("serde"), "no internals in {}", r.text);
    }
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let r = admin.raw(Method::POST, &format!("{API}/group"), &json, deep.into_bytes()).await;
    assert_error(&r, 400);
}

#[tokio::test]
async fn bodies_over_the_cap_are_413() {
    let app = TestApp::spawn().await;
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(2 << 20));
    let r = app
        .admin()
        .raw(Method::POST, &format!("{API}/group"), &[("Content-Type", "application/json")], big.into_bytes())
        .await;
    assert_error(&r, 413);
}

#[tokio::test]
async fn json_content_type_on_bodiless_requests_and_xsrf_tokens_are_accepted() {
    let app = TestApp::spawn().await;
    app.group("tidy").await;
    let headers =
        [("Content-Type", "application/json"), ("Accept", "application/json"), ("X-Atlassian-Token", "no-check")];
    let r = app.admin().raw(Method::GET, &format!("{API}/group?foo=bar&expand=x"), &headers, vec![]).await;
    assert_eq!(r.status, 200);
    let r = app.admin().raw(Method::DELETE, &format!("{API}/group?name=tidy"), &headers, vec![]).await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn bad_credentials_are_401_with_www_authenticate_and_no_details() {
    let app = TestApp::spawn().await;
    for auth in [
        crate::helpers::basic("admin@example.com", "wrong"),
        crate::helpers::basic("nobody@example.com", "wrong"),
        "Bearer rst_nope".to_string(),
        "Basic !!!".to_string(),
        "Digest abc".to_string(),
    ] {
        let r = app.with_auth(&auth).get(&format!("{API}/group")).await;
        assert_error(&r, 401);
        assert!(r.headers.get("www-authenticate").is_some());
    }
    let a = app.with_auth(&crate::helpers::basic("admin@example.com", "wrong")).get(&format!("{API}/group")).await;
    let b = app.with_auth(&crate::helpers::basic("nobody@example.com", "wrong")).get(&format!("{API}/group")).await;
    assert_eq!(a.text, b.text, "unknown account and wrong secret answer alike");
}

/// A site user `username` (e-mail `username@example.com`) with a password.
async fn user_with_password(app: &TestApp, username: &str, name: &str, password: &str) -> roster_core::User {
    let input = roster_core::directory::UserInput {
        username: Some(username.into()),
        display_name: name.into(),
        email: format!("{username}@example.com"),
        password: Some(password.into()),
        active: true,
        ..Default::default()
    };
    app.system()
        .create_user(&input, roster_core::directory::Joins::Groups(vec!["confluence-users".into()]))
        .await
        .unwrap()
}

#[tokio::test]
async fn bearer_tokens_and_username_password_logins_work() {
    let app = TestApp::spawn().await;
    let r = app.with_auth(&format!("Bearer {}", crate::helpers::ADMIN_TOKEN)).get(&format!("{API}/group")).await;
    assert_eq!(r.status, 200);
    user_with_password(&app, "pat", "Pat", "correct horse").await;
    let ok = app.with_auth(&crate::helpers::basic("pat", "correct horse"));
    assert_eq!(ok.get(&format!("{API}/user/current")).await.body["displayName"], "Pat");
    assert_eq!(ok.get(&format!("{API}/user/current")).await.status, 200, "cached verification still answers");
    let bad = app.with_auth(&crate::helpers::basic("pat", "wrong horse"));
    assert_error(&bad.get(&format!("{API}/user/current")).await, 401);
}

#[tokio::test]
async fn a_remembered_sign_in_ends_when_the_password_changes_and_when_the_user_is_deleted() {
    let app = TestApp::spawn().await;
    let sam = user_with_password(&app, "sam", "Sam", "first secret").await;
    let old = app.with_auth(&crate::helpers::basic("sam", "first secret"));
    for _ in 0..3 {
        assert_eq!(old.get(&format!("{API}/user/current")).await.status, 200);
    }
    app.system().set_password(sam.id, "second secret").await.unwrap();
    assert_error(&old.get(&format!("{API}/user/current")).await, 401);
    let new = app.with_auth(&crate::helpers::basic("sam", "second secret"));
    for _ in 0..3 {
        assert_eq!(new.get(&format!("{API}/user/current")).await.status, 200);
    }
    app.system().delete_user(sam.id).await.unwrap();
    assert_error(&new.get(&format!("{API}/user/current")).await, 401);
}
