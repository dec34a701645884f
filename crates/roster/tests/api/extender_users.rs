//! Extender user endpoints: user/getUsers, getUsersWithConfluenceAccess,
//! getUserDetails (with sign-in tracking), add, activate and deactivate.

use serde_json::{json, Value};

use crate::helpers::{assert_error, basic, TestApp};

const EXT: &str = "/rest/extender/1.0";

fn names(body: &Value) -> Vec<String> {
    body["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn get_users_lists_everyone_and_the_access_list_only_users_who_can_use_confluence() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    app.user("bob", &[]).await;
    app.plain_user("cat").await;
    app.admin().post(&format!("{EXT}/user/deactivate/cat"), json!({})).await;
    let r = app.admin().get(&format!("{EXT}/user/getUsers")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r.body), vec!["admin", "ann", "bob", "cat"]);
    assert_eq!((r.body["total"].as_u64(), r.body["maxResults"].as_u64()), (Some(4), Some(50)));
    let r = app.admin().get(&format!("{EXT}/user/getUsersWithConfluenceAccess?showBasicDetails=true")).await;
    assert_eq!(names(&r.body), vec!["admin", "ann"]);
    assert_eq!(r.body["total"], 2);
    assert_eq!(r.body["users"][1]["email"], "ann@example.com");
    let r = app.admin().get(&format!("{EXT}/user/getUsers?startAt=1&maxResults=2")).await;
    assert_eq!(names(&r.body), vec!["ann", "bob"]);
    assert_eq!(r.body["total"], 4);
}

#[tokio::test]
async fn user_endpoints_are_for_administrators() {
    let app = TestApp::spawn().await;
    let (_, plain) = app.plain_user("plain").await;
    for path in ["user/getUsers", "user/getUsersWithConfluenceAccess", "user/getUserDetails/plain"] {
        assert_error(&plain.get(&format!("{EXT}/{path}")).await, 403);
        assert_error(&app.anon().get(&format!("{EXT}/{path}")).await, 401);
    }
    assert_error(&plain.post(&format!("{EXT}/user/deactivate/admin"), json!({})).await, 403);
}

#[tokio::test]
async fn get_user_details_answers_the_extended_object_or_404() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().get(&format!("{EXT}/user/getUserDetails/ANN?dateFormat=yyyy")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "ann");
    assert_eq!(r.body["hasAccessToUseConfluence"], true);
    assert_eq!(r.body["createdDateString"].as_str().unwrap().len(), 4);
    assert!(r.body["business"].is_array() && r.body["personal"].is_array());
    assert_error(&app.admin().get(&format!("{EXT}/user/getUserDetails/ghost")).await, 404);
}

#[tokio::test]
async fn sign_ins_update_the_last_login_fields_and_survive_a_restart() {
    let app = TestApp::spawn().await;
    let (_, ann) = app.plain_user("ann").await;
    assert_eq!(ann.get("/rest/api/user/current").await.status, 200);
    let wrong = app.with_auth(&basic("ann@example.com", "not-the-token"));
    assert_error(&wrong.get("/rest/api/user/current").await, 401);
    app.dir.flush_logins().await.unwrap();
    let r = app.admin().get(&format!("{EXT}/user/getUserDetails/ann")).await;
    let ok = r.body["lastSuccessfulLoginDate"].as_i64().expect("a successful sign-in was recorded");
    let failed = r.body["lastFailedLoginDate"].as_i64().expect("a failed sign-in was recorded");
    assert!(failed >= ok, "the failure came after the success");
    assert!(r.body["lastSuccessfulLoginDateString"].is_string() && r.body["lastFailedLoginDateString"].is_string());

    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get(&format!("{EXT}/user/getUserDetails/ann")).await;
    assert_eq!(r.body["lastSuccessfulLoginDate"].as_i64(), Some(ok), "stored, not only in memory");
    assert_eq!(r.body["lastFailedLoginDate"].as_i64(), Some(failed));
}

#[tokio::test]
async fn add_creates_a_user_in_the_default_group_who_can_sign_in_with_the_password() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "new_user", "fullName": "New User", "email": "new@user.pl", "password": "s3cret-pw", "sendMail": true});
    let r = app.admin().post(&format!("{EXT}/user/add"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "success");
    assert_eq!(r.body["name"], "new_user");
    let me = app.with_auth(&basic("new_user", "s3cret-pw")).get("/rest/api/user/current").await;
    assert_eq!(me.body["username"], "new_user", "{}", me.text);
    assert_eq!(me.body["userKey"], r.body["key"]);
    let d = app.admin().get(&format!("{EXT}/user/getUserDetails/new_user")).await;
    assert_eq!(d.body["hasAccessToUseConfluence"], true, "joined confluence-users");
}

#[tokio::test]
async fn add_with_groups_joins_exactly_those_and_an_unknown_group_creates_nothing() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let r = app
        .admin()
        .put(
            &format!("{EXT}/user/add"),
            Some(json!({"name": "u1", "fullName": "U One", "email": "u1@x.io", "groups": ["crew"]})),
        )
        .await;
    assert_eq!(r.status, 200, "PUT works like POST: {}", r.text);
    {
        let m = app.view();
        let u = m.user_by_username("u1").unwrap();
        assert_eq!(m.groups_of(u).iter().map(|g| g.group.name.to_string()).collect::<Vec<_>>(), vec!["crew"]);
    }
    let body = json!({"name": "u2", "fullName": "U Two", "email": "u2@x.io", "groups": ["crew", "nope"]});
    assert_error(&app.admin().post(&format!("{EXT}/user/add"), body).await, 404);
    assert!(app.view().user_by_username("u2").is_err());
}

#[tokio::test]
async fn add_validates_its_fields_and_refuses_duplicates() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    for (body, status) in [
        (json!({"fullName": "X", "email": "x@x.io"}), 400),
        (json!({"name": "Upper", "fullName": "X", "email": "x@x.io"}), 400),
        (json!({"name": "has space", "fullName": "X", "email": "x@x.io"}), 400),
        (json!({"name": "x", "email": "x@x.io"}), 400),
        (json!({"name": "x", "fullName": "X", "email": "nope"}), 400),
        (json!({"name": "ann", "fullName": "X", "email": "x@x.io"}), 409),
        (json!({"name": "x", "fullName": "X", "email": "ann@example.com"}), 409),
    ] {
        let r = app.admin().post(&format!("{EXT}/user/add"), body.clone()).await;
        assert_error(&r, status);
    }
    assert!(app.view().user_by_username("x").is_err());
}

#[tokio::test]
async fn deactivate_and_activate_are_idempotent_and_deactivated_users_cannot_work() {
    let app = TestApp::spawn().await;
    let (_, ann) = app.plain_user("ann").await;
    let r = app.admin().post(&format!("{EXT}/user/deactivate/ann"), json!({})).await;
    assert_eq!(r.body, json!({"message": "user ann deactivated", "status": "success"}));
    let r = app.admin().send(reqwest::Method::POST, &format!("{EXT}/user/deactivate/ann"), None).await;
    assert_eq!(r.body["message"], "user ann was already deactivated", "{}", r.text);
    assert_error(&ann.get("/rest/api/user/current").await, 403);
    let d = app.admin().get(&format!("{EXT}/user/getUserDetails/ann")).await;
    assert_eq!(d.body["hasAccessToUseConfluence"], false);
    let r = app.admin().post(&format!("{EXT}/user/activate/ann"), json!({})).await;
    assert_eq!(r.body["message"], "user ann activated");
    assert_eq!(ann.get("/rest/api/user/current").await.status, 200);
    assert_error(&app.admin().post(&format!("{EXT}/user/activate/ghost"), json!({})).await, 404);
    assert_error(&app.admin().post(&format!("{EXT}/user/deactivate/admin"), json!({})).await, 400);
}
