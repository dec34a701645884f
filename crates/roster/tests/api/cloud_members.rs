//! Membership changes and member pages: /group/user, /group/userByGroupId,
//! /group/member, /group/{name}/member, /group/{id}/membersByGroupId.

use serde_json::json;

use crate::helpers::{assert_error, enc, TestApp};

const API: &str = "/wiki/rest/api";

fn names_of(body: &serde_json::Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_member_added_by_group_name_shows_up_on_both_sides() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let (acc, _) = app.plain_user("hana").await;
    let r = app.admin().post(&format!("{API}/group/user?name=crew"), json!({"accountId": acc})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app.admin().get(&format!("{API}/group/member?name=crew")).await;
    assert_eq!(names_of(&r.body), vec![acc.clone()]);
    let r = app.admin().get(&format!("{API}/user/memberof?accountId={}", enc(&acc))).await;
    assert!(r.body["results"].as_array().unwrap().iter().any(|g| g["name"] == "crew"));
}

#[tokio::test]
async fn adding_a_member_twice_answers_201_and_keeps_one_membership() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let (acc, _) = app.plain_user("ivan").await;
    for _ in 0..2 {
        let r = app.admin().post(&format!("{API}/group/user?name=crew"), json!({"accountId": acc})).await;
        assert_eq!(r.status, 201);
    }
    assert_eq!(app.member_count("crew"), 1);
}

#[tokio::test]
async fn removing_a_member_answers_204_and_so_does_removing_a_non_member() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let (acc, _) = app.plain_user("judy").await;
    app.add_members("crew", std::slice::from_ref(&acc)).await;
    let path = format!("{API}/group/user?name=crew&accountId={}", enc(&acc));
    assert_eq!(app.admin().delete(&path).await.status, 204);
    assert_eq!(app.member_count("crew"), 0);
    // Atlassian, on the 403 of this operation: "A 204 is returned if the user is not part of the group."
    assert_eq!(app.admin().delete(&path).await.status, 204);
    assert_eq!(app.member_count("crew"), 0);
    let id = app.group("other crew").await;
    let by_id = format!("{API}/group/userByGroupId?groupId={id}&accountId={}", enc(&acc));
    assert_eq!(app.admin().delete(&by_id).await.status, 204);
    // An unknown user or group is still a 404.
    assert_error(&app.admin().delete(&format!("{API}/group/user?name=crew&accountId=ghost")).await, 404);
    assert_error(&app.admin().delete(&format!("{API}/group/user?name=ghosts&accountId={}", enc(&acc))).await, 404);
}

#[tokio::test]
async fn membership_by_group_id_works_the_same_way() {
    let app = TestApp::spawn().await;
    let id = app.group("by-id crew").await;
    let (acc, _) = app.plain_user("kofi").await;
    let r = app.admin().post(&format!("{API}/group/userByGroupId?groupId={id}"), json!({"accountId": acc})).await;
    assert_eq!(r.status, 201);
    let r = app.admin().get(&format!("{API}/group/{id}/membersByGroupId?expand=operations")).await;
    assert_eq!(names_of(&r.body), vec![acc.clone()]);
    assert!(r.body["results"][0]["operations"].is_array());
    let r = app.admin().delete(&format!("{API}/group/userByGroupId?groupId={id}&accountId={}&key=x", enc(&acc))).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.member_count("by-id crew"), 0);
}

#[tokio::test]
async fn membership_writes_name_the_bad_or_missing_input() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let (acc, _) = app.plain_user("lena").await;
    let admin = app.admin();
    let r = admin.post(&format!("{API}/group/user?name=crew"), json!({})).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("accountId"));
    let r = admin.post(&format!("{API}/group/user"), json!({"accountId": acc})).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("name"));
    assert_error(&admin.post(&format!("{API}/group/user?name=ghosts"), json!({"accountId": acc})).await, 404);
    assert_error(&admin.post(&format!("{API}/group/user?name=crew"), json!({"accountId": "ghost"})).await, 404);
    assert_error(&admin.delete(&format!("{API}/group/user?name=crew")).await, 400);
    assert_error(&admin.post(&format!("{API}/group/userByGroupId"), json!({"accountId": acc})).await, 400);
    assert_eq!(app.member_count("crew"), 0);
}

#[tokio::test]
async fn member_pages_by_path_accept_the_documented_parameters() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let ids = app.users("Crew", 3).await;
    app.add_members("crew", &ids).await;
    let r = app.admin().get(&format!("{API}/group/crew/member?start=1&limit=1")).await;
    assert_eq!(names_of(&r.body), vec![ids[1].clone()]);
    assert_eq!(r.body["_links"]["next"], "/rest/api/group/crew/member?start=2&limit=1");
}

#[tokio::test]
async fn memberships_survive_a_restart() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    let (acc, _) = app.plain_user("mateo").await;
    app.admin().post(&format!("{API}/group/user?name=crew"), json!({"accountId": acc})).await;
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    assert_eq!(app.member_count("crew"), 1);
}
