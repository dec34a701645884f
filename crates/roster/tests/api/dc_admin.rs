//! DC user administration: POST /admin/user, disable/enable, DELETE,
//! passwords (admin-set and self-service).

use serde_json::json;

use crate::helpers::{assert_error, basic, TestApp};

const DC: &str = "/rest/api";

fn new_user(name: &str) -> serde_json::Value {
    json!({"userName": name, "fullName": "Some One", "email": format!("{name}@test.com"), "password": "pw-1", "notifyViaEmail": "false"})
}

#[tokio::test]
async fn creating_a_user_answers_201_with_its_key_and_the_user_can_sign_in() {
    let app = TestApp::spawn().await;
    let r = app.admin().post(&format!("{DC}/admin/user"), new_user("user1")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let key = r.body["userKey"].as_str().unwrap();
    assert_eq!(r.body.as_object().unwrap().len(), 1);
    let me = app.with_auth(&basic("user1", "pw-1")).get(&format!("{DC}/user/current")).await;
    assert_eq!(me.body["userKey"], key, "{}", me.text);
    let cloud = app.admin().get(&format!("/wiki/rest/api/user?key={key}")).await;
    assert!(cloud.body["accountId"].as_str().is_some_and(|a| !a.is_empty()), "a Cloud accountId was generated");
    assert_error(&app.admin().post(&format!("{DC}/admin/user"), new_user("USER1")).await, 400);
    assert_error(&app.admin().post(&format!("{DC}/admin/user"), new_user("user1")).await, 409);
}

#[tokio::test]
async fn create_user_enforces_dc_validation() {
    let app = TestApp::spawn().await;
    let bad = [
        json!({"userName": "", "fullName": "A", "email": "a@b.c", "password": "p"}),
        json!({"userName": "a b", "fullName": "A", "email": "a@b.c", "password": "p"}),
        json!({"userName": "a,b", "fullName": "A", "email": "a@b.c", "password": "p"}),
        json!({"userName": "anonymous", "fullName": "A", "email": "a@b.c", "password": "p"}),
        json!({"userName": "ab", "fullName": "<A>", "email": "a@b.c", "password": "p"}),
        json!({"userName": "ab", "fullName": "Anonymous", "email": "a@b.c", "password": "p"}),
        json!({"userName": "ab", "fullName": "A", "email": "ab", "password": "p"}),
        json!({"userName": "ab", "fullName": "A", "email": "a@b.c"}),
        json!({"userName": "ab", "fullName": "A", "email": "a@b.c", "password": "p", "notifyViaEmail": true}),
        json!({"userName": "ab", "fullName": "A", "email": "a@b.c", "notifyViaEmail": "sometimes"}),
    ];
    for body in bad {
        assert_error(&app.admin().post(&format!("{DC}/admin/user"), body.clone()).await, 400);
    }
    assert!(app.view().user_by_username("ab").is_err());
    let r = app
        .admin()
        .post(
            &format!("{DC}/admin/user"),
            json!({"userName": "ab", "fullName": "A", "email": "a@b.c", "notifyViaEmail": "true"}),
        )
        .await;
    assert_eq!(r.status, 201, "no password is needed when the user is notified: {}", r.text);
    let (_, plain) = app.plain_user("plain").await;
    assert_error(&plain.post(&format!("{DC}/admin/user"), new_user("zz")).await, 403);
}

#[tokio::test]
async fn disable_and_enable_are_idempotent_and_lock_the_user_out_meanwhile() {
    let app = TestApp::spawn().await;
    let (_, ann) = app.plain_user("ann").await;
    for _ in 0..2 {
        assert_eq!(app.admin().put(&format!("{DC}/admin/user/ann/disable"), None).await.status, 204);
    }
    assert_error(&ann.get(&format!("{DC}/user/current")).await, 403);
    for _ in 0..2 {
        assert_eq!(app.admin().put(&format!("{DC}/admin/user/ANN/enable"), None).await.status, 204);
    }
    assert_eq!(ann.get(&format!("{DC}/user/current")).await.status, 200);
    assert_error(&app.admin().put(&format!("{DC}/admin/user/ghost/disable"), None).await, 404);
    assert_error(&app.admin().put(&format!("{DC}/admin/user/admin/disable"), None).await, 400);
}

#[tokio::test]
async fn deleting_a_user_answers_202_and_removes_it_everywhere() {
    let app = TestApp::spawn().await;
    let (acc, ann) = app.user("ann", &["crew", "confluence-users"]).await;
    let r = app.admin().delete(&format!("{DC}/admin/user/ann")).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(r.body["id"].is_string() && r.body["links"]["status"].is_string());
    assert_error(&app.admin().get(&format!("{DC}/user?username=ann")).await, 404);
    assert_error(&app.admin().get(&format!("/wiki/rest/api/user?accountId={acc}")).await, 404);
    assert_eq!(app.member_count("crew"), 0);
    assert_error(&ann.get(&format!("{DC}/user/current")).await, 401);
    assert_error(&app.admin().delete(&format!("{DC}/admin/user/ann")).await, 404);
    assert_error(&app.admin().delete(&format!("{DC}/admin/user/admin")).await, 400);
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    assert!(app.view().user_by_username("ann").is_err(), "the deletion is durable");
}

#[tokio::test]
async fn an_admin_sets_a_password_and_a_user_changes_their_own() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().post(&format!("{DC}/admin/user/ann/password"), json!({"password": "first-pw"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let ann = app.with_auth(&basic("ann", "first-pw"));
    assert_eq!(ann.get(&format!("{DC}/user/current")).await.status, 200);
    assert_error(&app.admin().post(&format!("{DC}/admin/user/ann/password"), json!({"password": " "})).await, 400);
    assert_error(&app.admin().post(&format!("{DC}/admin/user/ghost/password"), json!({"password": "x"})).await, 404);

    let wrong = json!({"oldPassword": "nope", "newPassword": "second-pw"});
    assert_error(&ann.post(&format!("{DC}/user/current/password"), wrong).await, 403);
    assert_error(&ann.post(&format!("{DC}/user/current/password"), json!({"oldPassword": "first-pw"})).await, 400);
    let ok = json!({"oldPassword": "first-pw", "newPassword": "second-pw"});
    assert_eq!(ann.post(&format!("{DC}/user/current/password"), ok).await.status, 204);
    assert_error(&ann.get(&format!("{DC}/user/current")).await, 401);
    assert_eq!(app.with_auth(&basic("ann", "second-pw")).get(&format!("{DC}/user/current")).await.status, 200);
    assert_error(&app.anon().post(&format!("{DC}/user/current/password"), json!({})).await, 401);
}
