//! DC user reads under /rest/api (and /confluence/rest/api): /user,
//! /user/current, /user/anonymous, /user/memberof, /user/list.

use serde_json::Value;

use crate::helpers::{assert_error, TestApp};

const DC: &str = "/rest/api";

#[tokio::test]
async fn a_user_is_found_by_username_or_key_as_a_dc_person() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().get(&format!("{DC}/user?username=ANN")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let p = &r.body;
    assert_eq!(p["type"], "known");
    assert_eq!(p["username"], "ann");
    assert_eq!(p["displayName"], "ann Tester");
    let key = p["userKey"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    assert_eq!(p["profilePicture"]["isDefault"], true);
    assert_eq!(p["profilePicture"]["width"], 48);
    assert_eq!(p["_links"]["self"], format!("{}{DC}/user?key={key}", app.url));
    assert_eq!(p["_expandable"]["status"], "");
    assert!(p.get("status").is_none() && p.get("accountId").is_none());
    let by_key = app.admin().get(&format!("{DC}/user?key={key}")).await;
    assert_eq!(by_key.body, r.body);
}

#[tokio::test]
async fn expand_status_tells_active_from_deactivated() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().get(&format!("{DC}/user?username=ann&expand=status")).await;
    assert_eq!(r.body["status"], "Active");
    assert!(r.body["_expandable"].get("status").is_none());
    assert_eq!(app.admin().put(&format!("{DC}/admin/user/ann/disable"), None).await.status, 204);
    let r = app.admin().get(&format!("{DC}/user?username=ann&expand=status,details.personal")).await;
    assert_eq!(r.body["status"], "Deactivated");
    assert_eq!(r.body["details"]["personal"]["email"], "ann@example.com");
}

#[tokio::test]
async fn unknown_or_missing_users_are_404_and_400_in_the_rest_error_shape() {
    let app = TestApp::spawn().await;
    let r = app.admin().get(&format!("{DC}/user?username=ghost")).await;
    assert_error(&r, 404);
    assert_eq!(r.body["reason"], "Not Found");
    assert_eq!(r.body["data"]["allowedInReadOnlyMode"], true);
    assert_error(&app.admin().get(&format!("{DC}/user")).await, 400);
    assert_error(&app.anon().get(&format!("{DC}/user?username=admin")).await, 401);
}

#[tokio::test]
async fn current_is_the_caller_and_anonymous_is_the_anonymous_person() {
    let app = TestApp::spawn().await;
    let (_, ann) = app.plain_user("ann").await;
    assert_eq!(ann.get(&format!("{DC}/user/current")).await.body["username"], "ann");
    let r = ann.get(&format!("{DC}/user/anonymous")).await;
    assert_eq!(r.body["type"], "anonymous");
    assert_eq!(r.body["displayName"], "Anonymous");
    assert_error(&app.anon().get(&format!("{DC}/user/current")).await, 401);
}

fn group_names(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn memberof_lists_the_users_groups_as_a_collection() {
    let app = TestApp::spawn().await;
    app.user("ann", &["Zeta", "alpha", "confluence-users"]).await;
    let r = app.admin().get(&format!("{DC}/user/memberof?username=ann")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(group_names(&r.body), vec!["alpha", "confluence-users", "Zeta"]);
    assert_eq!(r.body["results"][0]["type"], "group");
    assert_eq!(r.body["results"][2]["_links"]["self"], format!("{}{DC}/group/Zeta", app.url));
    assert_eq!(
        (r.body["size"].as_u64(), r.body["limit"].as_u64(), r.body["start"].as_u64()),
        (Some(3), Some(200), Some(0))
    );
    let r = app.admin().get(&format!("{DC}/user/memberof?username=ann&start=1&limit=1")).await;
    assert_eq!(group_names(&r.body), vec!["confluence-users"]);
    assert_eq!(r.body["_links"]["next"], format!("{DC}/user/memberof?username=ann&start=2&limit=1"));
    assert_error(&app.admin().get(&format!("{DC}/user/memberof?username=ghost")).await, 404);
}

#[tokio::test]
async fn the_user_list_includes_disabled_users_and_pages_with_relative_next_links() {
    let app = TestApp::spawn().await;
    app.users("lister", 4).await;
    app.admin().put(&format!("{DC}/admin/user/lister1/disable"), None).await;
    let r = app.admin().get(&format!("{DC}/user/list?expand=status&limit=2")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["size"], 2);
    assert_eq!(r.body["totalCount"], 5);
    let next = r.body["_links"]["next"].as_str().unwrap().to_string();
    assert_eq!(next, format!("{DC}/user/list?expand=status&start=2&limit=2"));
    assert_eq!(r.body["_links"]["base"], app.url.as_str());
    assert_eq!(r.body["_links"]["context"], "");
    let r2 = app.admin().get(&next).await;
    assert_eq!(r2.body["results"][0]["username"], "lister1");
    assert_eq!(r2.body["results"][0]["status"], "Deactivated");
    let last = app.admin().get(&format!("{DC}/user/list?start=4&limit=2")).await;
    assert!(last.body["_links"].get("next").is_none(), "no next on the last page");
    assert_eq!(last.body["_links"]["prev"], format!("{DC}/user/list?start=2&limit=2"));
}

#[tokio::test]
async fn the_confluence_context_path_answers_with_links_under_it() {
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    let r = app.admin().get(&format!("/confluence{DC}/user?username=ann")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["_links"]["self"].as_str().unwrap().starts_with(&format!("{}/confluence{DC}/user?key=", app.url)));
    assert!(r.body["profilePicture"]["path"].as_str().unwrap().starts_with("/confluence/"));
    let r = app.admin().get(&format!("/confluence{DC}/user/list?limit=1")).await;
    assert_eq!(r.body["_links"]["base"], format!("{}/confluence", app.url));
    assert_eq!(r.body["_links"]["context"], "/confluence");
    assert_eq!(r.body["_links"]["next"], format!("{DC}/user/list?start=1&limit=1"), "relative to base");
}
