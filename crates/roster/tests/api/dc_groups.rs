//! DC groups and memberships: /group, /group/{name}, /group/{name}/member,
//! /admin/group, and both membership write styles (PUT/DELETE
//! /user/{u}/group/{g} and POST/DELETE /group/{g}/member).

use serde_json::{json, Value};

use crate::helpers::{assert_error, enc, TestApp};

const DC: &str = "/rest/api";

fn usernames(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn groups_list_in_name_order_and_one_group_is_found_by_path() {
    let app = TestApp::spawn().await;
    app.group("Team A/B").await;
    let r = app.admin().get(&format!("{DC}/group")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let names: Vec<&str> = r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["confluence-users", "site-admins", "Team A/B"]);
    assert_eq!(r.body["limit"], 200);
    let r = app.admin().get(&format!("{DC}/group/{}", enc("team a/b"))).await;
    assert_eq!(r.body["name"], "Team A/B", "{}", r.text);
    assert_eq!(r.body["type"], "group");
    assert_eq!(r.body["_links"]["self"], format!("{}{DC}/group/Team%20A%2FB", app.url));
    assert_error(&app.admin().get(&format!("{DC}/group/nope")).await, 404);
}

#[tokio::test]
async fn admin_group_create_and_delete_follow_dc() {
    let app = TestApp::spawn().await;
    let r = app.admin().post(&format!("{DC}/admin/group"), json!({"name": "new-group", "type": "group"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "new-group");
    assert_error(&app.admin().post(&format!("{DC}/admin/group"), json!({"name": "NEW-group"})).await, 409);
    assert_error(&app.admin().post(&format!("{DC}/admin/group"), json!({"type": "group"})).await, 400);
    assert_error(&app.admin().post(&format!("{DC}/admin/group"), json!({"name": "x", "type": "user"})).await, 400);
    let (_, plain) = app.plain_user("plain").await;
    assert_error(&plain.post(&format!("{DC}/admin/group"), json!({"name": "x"})).await, 403);
    assert_error(&plain.delete(&format!("{DC}/admin/group/new-group")).await, 403);
    assert_eq!(app.admin().delete(&format!("{DC}/admin/group/New-Group")).await.status, 204);
    assert_error(&app.admin().delete(&format!("{DC}/admin/group/new-group")).await, 404);
    assert_error(&app.admin().delete(&format!("{DC}/admin/group/site-admins")).await, 400);
    assert!(app.view().group_name_taken("site-admins"));
}

#[tokio::test]
async fn member_pages_carry_total_count_and_next_links_until_an_empty_page() {
    let app = TestApp::spawn().await;
    app.group("big").await;
    let ids = app.users("member", 5).await;
    app.add_members("big", &ids).await;
    let r = app.admin().get(&format!("{DC}/group/big/member?limit=2&expand=None")).await;
    assert_eq!(r.status, 200, "expand=None (python 4.x) is ignored: {}", r.text);
    assert_eq!(usernames(&r.body), vec!["member0", "member1"]);
    assert_eq!((r.body["size"].as_u64(), r.body["totalCount"].as_u64()), (Some(2), Some(5)));
    assert_eq!(r.body["_links"]["next"], format!("{DC}/group/big/member?expand=None&start=2&limit=2"));
    let r = app.admin().get(&format!("{DC}/group/big/member?start=4&limit=2")).await;
    assert_eq!(usernames(&r.body), vec!["member4"]);
    assert!(r.body["_links"].get("next").is_none());
    let r = app.admin().get(&format!("{DC}/group/big/member?start=5&limit=50")).await;
    assert_eq!(r.body["results"], json!([]), "past the end: an empty page");
    let r = app.admin().get(&format!("{DC}/group/big/member?limit=1000")).await;
    assert_eq!(r.body["limit"], 200, "DC's fixed limit is echoed");
    assert_error(&app.admin().get(&format!("{DC}/group/nope/member")).await, 404);
}

#[tokio::test]
async fn put_and_delete_user_group_are_idempotent_204s() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    app.plain_user("ann").await;
    for _ in 0..2 {
        let r = app.admin().put(&format!("{DC}/user/ANN/group/Crew"), None).await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    assert_eq!(app.member_count("crew"), 1);
    for _ in 0..2 {
        assert_eq!(app.admin().delete(&format!("{DC}/user/ann/group/crew")).await.status, 204);
    }
    assert_eq!(app.member_count("crew"), 0);
    assert_error(&app.admin().put(&format!("{DC}/user/ghost/group/crew"), None).await, 404);
    assert_error(&app.admin().put(&format!("{DC}/user/ann/group/nope"), None).await, 404);
    let (_, plain) = app.plain_user("plain").await;
    assert_error(&plain.put(&format!("{DC}/user/ann/group/crew"), None).await, 403);
}

#[tokio::test]
async fn post_and_delete_group_member_work_as_python_5_sends_them() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    app.plain_user("ann").await;
    for _ in 0..2 {
        let r = app.admin().post(&format!("{DC}/group/crew/member"), json!({"name": "ann"})).await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let r = app.admin().get(&format!("{DC}/group/crew/member")).await;
    assert_eq!(usernames(&r.body), vec!["ann"]);
    assert_eq!(app.admin().delete(&format!("{DC}/group/crew/member/ann")).await.status, 204);
    assert_eq!(app.admin().delete(&format!("{DC}/group/crew/member/ann")).await.status, 204);
    assert_eq!(app.member_count("crew"), 0);
    assert_error(&app.admin().post(&format!("{DC}/group/crew/member"), json!({})).await, 400);
    assert_error(&app.admin().post(&format!("{DC}/group/crew/member"), json!({"name": "ghost"})).await, 404);
    assert_error(&app.admin().delete(&format!("{DC}/group/nope/member/ann")).await, 404);
}
