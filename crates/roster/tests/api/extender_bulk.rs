//! Extender bulk writes: addGroups, removeGroups, addUsers/{GROUP},
//! removeUsers/{GROUP}. Partly skipped lists, all-skipped lists, and
//! failures that leave nothing applied.

use serde_json::json;

use crate::helpers::{assert_error, TestApp};

const EXT: &str = "/rest/extender/1.0";

#[tokio::test]
async fn add_groups_creates_new_groups_and_skips_existing_ones() {
    let app = TestApp::spawn().await;
    app.group("group1").await;
    let r =
        app.admin().post(&format!("{EXT}/group/addGroups"), json!({"groups": ["GROUP1", "group2", "group2"]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"groupsAdded": ["group2"], "groupsSkipped": ["GROUP1", "group2"], "message": "groups added, some groups skipped", "status": "success"})
    );
    assert!(app.view().group_name_taken("group2"));
    let r = app.admin().post(&format!("{EXT}/group/addGroups"), json!({"groups": ["group3"]})).await;
    assert_eq!(r.body["message"], "all groups added");
    assert_eq!(r.body["groupsSkipped"], json!([]));
    let r = app.admin().post(&format!("{EXT}/group/addGroups"), json!({"groups": ["group3"]})).await;
    assert_eq!(r.body["message"], "no groups added, all groups skipped");
    assert_eq!(r.body["groupsAdded"], json!([]));
}

#[tokio::test]
async fn an_invalid_group_name_midway_fails_the_call_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(256);
    let r = app.admin().post(&format!("{EXT}/group/addGroups"), json!({"groups": ["ok-1", long, "ok-2"]})).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("groups"), "{}", r.text);
    assert!(!app.view().group_name_taken("ok-1") && !app.view().group_name_taken("ok-2"));
    for body in [json!({}), json!({"groups": []}), json!({"groups": "g"}), json!({"groups": ["a", 1]})] {
        assert_error(&app.admin().post(&format!("{EXT}/group/addGroups"), body).await, 400);
    }
    assert!(!app.view().group_name_taken("a"));
}

#[tokio::test]
async fn remove_groups_deletes_existing_groups_and_skips_unknown_ones() {
    let app = TestApp::spawn().await;
    app.group("group2").await;
    let (acc, _) = app.user("ann", &["group2"]).await;
    let r = app.admin().post(&format!("{EXT}/group/removeGroups"), json!({"groups": ["group1", "Group2"]})).await;
    assert_eq!(
        r.body,
        json!({"groupsRemoved": ["Group2"], "groupsSkipped": ["group1"], "message": "groups removed, some groups skipped", "status": "success"})
    );
    assert!(!app.view().group_name_taken("group2"));
    {
        let m = app.view();
        assert!(m.user_by_account(&acc).unwrap().groups.iter().all(|g| m.group(g).is_some()));
    }
    let r = app.admin().post(&format!("{EXT}/group/removeGroups"), json!({"groups": ["group2"]})).await;
    assert_eq!(r.body["message"], "no groups removed, all groups skipped");
}

#[tokio::test]
async fn removing_the_last_admin_group_is_refused_with_nothing_removed() {
    let app = TestApp::spawn().await;
    app.group("doomed").await;
    let r = app.admin().post(&format!("{EXT}/group/removeGroups"), json!({"groups": ["doomed", "site-admins"]})).await;
    assert_error(&r, 400);
    assert!(app.view().group_name_taken("doomed"), "the call is all or nothing");
}

#[tokio::test]
async fn add_users_adds_new_members_and_skips_members_unknown_names_and_repeats() {
    let app = TestApp::spawn().await;
    app.group("crew").await;
    app.user("user1", &["crew"]).await;
    app.user("user2", &[]).await;
    let r = app
        .admin()
        .post(&format!("{EXT}/group/addUsers/crew"), json!({"users": ["user1", "USER2", "ghost", "user2"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"usersAdded": ["USER2"], "usersSkipped": ["user1", "ghost", "user2"], "message": "users added to group, but some users skipped", "status": "success"})
    );
    assert_eq!(app.member_count("crew"), 2);
    app.user("user3", &[]).await;
    let r = app.admin().post(&format!("{EXT}/group/addUsers/crew"), json!({"users": ["user3"]})).await;
    assert_eq!(r.body["message"], "all users added to group");
    let r = app.admin().post(&format!("{EXT}/group/addUsers/crew"), json!({"users": ["user3"]})).await;
    assert_eq!(r.body["message"], "no users added to group, all users skipped");
}

#[tokio::test]
async fn remove_users_removes_members_and_skips_non_members_and_unknown_names() {
    let app = TestApp::spawn().await;
    app.user("user1", &["crew"]).await;
    app.user("user2", &["crew"]).await;
    app.user("user3", &[]).await;
    let r =
        app.admin().post(&format!("{EXT}/group/removeUsers/crew"), json!({"users": ["user2", "user3", "ghost"]})).await;
    assert_eq!(
        r.body,
        json!({"usersRemoved": ["user2"], "usersSkipped": ["user3", "ghost"], "message": "users removed from group, but some users skipped", "status": "success"})
    );
    assert_eq!(app.member_count("crew"), 1);
    let r = app.admin().post(&format!("{EXT}/group/removeUsers/crew"), json!({"users": ["user1"]})).await;
    assert_eq!(r.body["message"], "all users removed from group");
    assert_eq!(app.member_count("crew"), 0);
}

#[tokio::test]
async fn member_calls_on_an_unknown_group_or_with_a_bad_body_change_nothing() {
    let app = TestApp::spawn().await;
    app.user("user1", &["crew"]).await;
    assert_error(&app.admin().post(&format!("{EXT}/group/addUsers/nope"), json!({"users": ["user1"]})).await, 404);
    assert_error(&app.admin().post(&format!("{EXT}/group/removeUsers/nope"), json!({"users": ["user1"]})).await, 404);
    for body in [json!({"users": []}), json!({"user": ["user1"]}), json!({"users": ["user1", null]})] {
        assert_error(&app.admin().post(&format!("{EXT}/group/removeUsers/crew"), body).await, 400);
    }
    assert_eq!(app.member_count("crew"), 1);
}

#[tokio::test]
async fn bulk_writes_need_a_site_admin() {
    let app = TestApp::spawn().await;
    let (_, plain) = app.plain_user("plain").await;
    assert_error(&plain.post(&format!("{EXT}/group/addGroups"), json!({"groups": ["x"]})).await, 403);
    assert_error(&app.anon().post(&format!("{EXT}/group/removeGroups"), json!({"groups": ["x"]})).await, 401);
    assert_error(
        &plain.post(&format!("{EXT}/group/addUsers/confluence-users"), json!({"users": ["plain"]})).await,
        403,
    );
    assert!(!app.view().group_name_taken("x"));
}
