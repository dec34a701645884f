//! DC endpoints of versions after the 9.0.0 description that clients meet:
//! PUT /admin/user/{username} (full name and e-mail), GET
//! /admin/users/list/active, and GET /longtask/{id} for the 202 of
//! DELETE /admin/user/{username}.

use serde_json::json;

use crate::helpers::{assert_error, basic, TestApp};

const DC: &str = "/rest/api";

#[tokio::test]
async fn an_admin_changes_a_users_full_name_and_email_and_the_user_signs_in_by_the_new_one() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("ann").await;
    // The id first: a reader holds the model's read lock, which the
    // token's commit needs.
    let id = app.view().user_by_username("ann").unwrap().user.id;
    let token = app.system().issue_token(id, "t").await.unwrap();
    let r = app
        .admin()
        .put(&format!("{DC}/admin/user/ann"), Some(json!({"fullName": "Ann King", "email": "ann.king@example.com"})))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app.admin().get(&format!("{DC}/user?username=ann&expand=details.personal")).await;
    assert_eq!(r.body["displayName"], "Ann King");
    assert_eq!(r.body["details"]["personal"]["email"], "ann.king@example.com");
    let cloud = app.admin().get(&format!("/wiki/rest/api/user?accountId={acc}")).await;
    assert_eq!(cloud.body["displayName"], "Ann King", "one store: Cloud sees it too");
    let me = app.with_auth(&basic("ann.king@example.com", &token)).get(&format!("{DC}/user/current")).await;
    assert_eq!(me.status, 200, "the new address signs in: {}", me.text);
    // One field alone leaves the other as it was.
    let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(json!({"fullName": "Ann Lee"}))).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let u = app.view().user_by_username("ann").unwrap().user.clone();
    assert_eq!((&*u.display_name, &*u.email), ("Ann Lee", "ann.king@example.com"));
}

#[tokio::test]
async fn updating_a_user_validates_like_dc_and_keeps_addresses_unique() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    app.plain_user("bob").await;
    for body in [
        json!({}),
        json!({"fullName": ""}),
        json!({"fullName": "  "}),
        json!({"fullName": "<b>Ann</b>"}),
        json!({"fullName": "anonymous"}),
        json!({"email": ""}),
        json!({"email": "not-an-address"}),
    ] {
        let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(body.clone())).await;
        assert_error(&r, 400);
    }
    let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(json!({"fullName": "<b>"}))).await;
    assert!(r.body["message"].as_str().unwrap().contains("fullName"), "DC's field name: {}", r.text);
    let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(json!({"email": "BOB@example.com"}))).await;
    assert_error(&r, 409);
    let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(json!({"email": "ANN@example.com"}))).await;
    assert_eq!(r.status, 204, "its own address in another case is no conflict: {}", r.text);
    assert_error(&app.admin().put(&format!("{DC}/admin/user/ghost"), Some(json!({"fullName": "G"}))).await, 404);
    let (_, bob) = app.plain_user("cy").await;
    assert_error(&bob.put(&format!("{DC}/admin/user/ann"), Some(json!({"fullName": "Mallory"}))).await, 403);
    assert_eq!(&*app.view().user_by_username("ann").unwrap().user.display_name, "ann Tester");
}

#[tokio::test]
async fn the_change_is_audited() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().put(&format!("{DC}/admin/user/ann"), Some(json!({"fullName": "Ann Audited"}))).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app.admin().get("/wiki/rest/api/audit?searchString=Ann%20Audited").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["size"].as_u64().unwrap() >= 1, "{}", r.text);
}

#[tokio::test]
async fn the_active_list_holds_the_users_with_product_access_and_their_last_login() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    app.user("outsider", &["crew"]).await;
    app.plain_user("gone").await;
    assert_eq!(app.admin().put(&format!("{DC}/admin/user/gone/disable"), None).await.status, 204);
    let r = app.admin().get(&format!("{DC}/admin/users/list/active?expand=lastLogin,status")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let names: Vec<&str> =
        r.body["results"].as_array().unwrap().iter().map(|p| p["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["admin", "ann"], "no disabled users, none without product access");
    assert_eq!(r.body["totalCount"], 2);
    let ann = &r.body["results"][1];
    assert_eq!(ann["status"], "Active");
    assert!(ann["lastLogin"].is_null(), "never signed in: {ann}");
    // Sign-in times are flushed in the background, so the admin's may not
    // be in yet; either way the field is there, a UTC time or null.
    let admin = &r.body["results"][0];
    let t = &admin["lastLogin"];
    assert!(t.is_null() || t.as_str().is_some_and(|t| t.ends_with('Z')), "{admin}");
    assert!(admin.get("lastLogin").is_some(), "{admin}");
    let r = app.admin().get(&format!("{DC}/admin/users/list/active?limit=1&start=1")).await;
    assert_eq!(r.body["results"][0]["username"], "ann");
    assert!(r.body["results"][0].get("lastLogin").is_none(), "only with expand=lastLogin");
    assert_eq!(r.body["_links"]["prev"], "/rest/api/admin/users/list/active?start=0&limit=1");
    let (_, ann) = app.plain_user("bo").await;
    assert_error(&ann.get(&format!("{DC}/admin/users/list/active")).await, 403);
}

#[tokio::test]
async fn the_longtask_link_of_a_user_deletion_resolves_to_a_finished_task() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().delete(&format!("/confluence{DC}/admin/user/ann")).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let link = r.body["links"]["status"].as_str().unwrap();
    let path = &link[link.find("/confluence/rest/api/longtask/").expect(link)..];
    assert!(path.ends_with(&id), "{link}");
    let t = app.admin().get(path).await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["id"], id.as_str());
    assert_eq!((t.body["finished"].as_bool(), t.body["successful"].as_bool()), (Some(true), Some(true)));
    assert_eq!(t.body["percentageComplete"], 100);
    assert_eq!(t.body["name"]["translation"], "Delete user ann");
    assert_eq!(t.body["name"]["args"], json!([]), "Atlassian's schema types args as objects");
    assert_eq!(app.admin().get(&format!("{DC}/longtask/{id}")).await.status, 200, "under either prefix");
    assert_error(&app.admin().get(&format!("{DC}/longtask/no-such-task")).await, 404);
    let (_, bo) = app.plain_user("bo").await;
    assert_error(&bo.get(&format!("{DC}/longtask/{id}")).await, 403);
}
