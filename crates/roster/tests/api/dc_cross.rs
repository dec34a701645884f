//! One store, three dialects: a change made through one dialect is seen by
//! the others, and every user has a DC username and key and a Cloud
//! account id, whichever way it was created (API, CLI import, old rows).

use serde_json::json;

use crate::helpers::{enc, TestApp};

#[tokio::test]
async fn a_member_added_through_extender_is_seen_by_cloud_and_dc_and_removed_through_dc() {
    let app = TestApp::spawn().await;
    app.group("Cross Team").await;
    let (acc, _) = app.plain_user("ann").await;
    let r = app
        .admin()
        .post(&format!("/rest/extender/1.0/group/addUsers/{}", enc("cross team")), json!({"users": ["ann"]}))
        .await;
    assert_eq!(r.body["usersAdded"], json!(["ann"]), "{}", r.text);

    let cloud = app.admin().get(&format!("/wiki/rest/api/user/memberof?accountId={}", enc(&acc))).await;
    assert!(cloud.body["results"].as_array().unwrap().iter().any(|g| g["name"] == "Cross Team"), "{}", cloud.text);
    let dc = app.admin().get(&format!("/rest/api/group/{}/member", enc("Cross Team"))).await;
    assert_eq!(dc.body["results"][0]["username"], "ann", "{}", dc.text);

    assert_eq!(app.admin().delete(&format!("/rest/api/user/ann/group/{}", enc("CROSS TEAM"))).await.status, 204);
    let ext = app.admin().get(&format!("/rest/extender/1.0/group/getUsers/{}", enc("Cross Team"))).await;
    assert_eq!(ext.body["users"], json!([]));
    assert_eq!(ext.body["total"], 0);
    let cloud = app.admin().get(&format!("/wiki/rest/api/user/memberof?accountId={}", enc(&acc))).await;
    assert!(!cloud.body["results"].as_array().unwrap().iter().any(|g| g["name"] == "Cross Team"));
}

#[tokio::test]
async fn a_group_created_in_one_dialect_is_the_same_group_in_the_others() {
    let app = TestApp::spawn().await;
    app.admin().post("/rest/extender/1.0/group/addGroups", json!({"groups": ["Shared"]})).await;
    let cloud = app.admin().get("/wiki/rest/api/group/by-name?name=shared").await;
    assert_eq!(cloud.body["name"], "Shared");
    let dc = app.admin().get("/rest/api/group/SHARED").await;
    assert_eq!(dc.body["name"], "Shared");
    assert_eq!(
        app.admin()
            .delete(&format!("/wiki/rest/api/group/by-id?id={}", cloud.body["id"].as_str().unwrap()))
            .await
            .status,
        204
    );
    let ext = app.admin().get("/rest/extender/1.0/group/getGroups").await;
    assert!(!ext.body["groups"].as_array().unwrap().iter().any(|g| g == "Shared"));
}

#[tokio::test]
async fn users_created_without_a_username_get_a_generated_unique_one() {
    let app = TestApp::spawn().await;
    let accs = app.users("Jane Doe", 1).await;
    let first = app.view().user_by_account(&accs[0]).unwrap().user.username.clone().unwrap();
    assert_eq!(&*first, "janedoe0");
    // Two more accounts whose e-mail local parts collide with existing names.
    app.plain_user("dup").await;
    let input = roster_core::directory::UserInput {
        display_name: "Other Dup".into(),
        email: "DUP@elsewhere.org".into(),
        active: true,
        ..Default::default()
    };
    let u = app.system().create_user(&input, roster_core::directory::Joins::Groups(vec![])).await.unwrap();
    assert_eq!(u.username.as_deref(), Some("dup2"));
    let r = app.admin().get("/rest/api/user?username=dup2").await;
    assert_eq!(r.body["displayName"], "Other Dup");
    assert_eq!(r.body["userKey"].as_str().unwrap().len(), 32);
}
