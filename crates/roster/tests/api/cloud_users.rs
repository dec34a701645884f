//! /wiki/rest/api/user...: lookups, expansions, bulk, e-mail, migration.

use serde_json::Value;

use crate::helpers::{assert_error, enc, TestApp};

const API: &str = "/wiki/rest/api";

#[tokio::test]
async fn a_user_is_found_by_account_id_with_every_field_clients_require() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("alice").await;
    let r = app.admin().get(&format!("{API}/user?accountId={}", enc(&acc))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let u = &r.body;
    assert_eq!(u["type"], "known");
    assert_eq!(u["accountId"], acc.as_str());
    assert_eq!(u["accountType"], "atlassian");
    assert_eq!(u["email"], "alice@example.com");
    assert_eq!(u["displayName"], "alice Tester");
    assert_eq!(u["publicName"], "alice Tester");
    for k in ["path", "width", "height", "isDefault"] {
        assert!(!u["profilePicture"][k].is_null(), "profilePicture.{k}");
    }
    assert!(u["_expandable"]["operations"].is_string());
    assert!(u["_links"]["self"].as_str().unwrap().ends_with(&format!("/rest/api/user?accountId={acc}")));
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
}

#[tokio::test]
async fn a_user_is_also_found_by_username_and_key() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("bob").await;
    let r = app.admin().get(&format!("{API}/user?username=BOB")).await;
    assert_eq!(r.body["accountId"], acc.as_str());
    let key = app.view().user_by_account(&acc).unwrap().user.user_key.to_string();
    let r = app.admin().get(&format!("{API}/user?key={key}")).await;
    assert_eq!(r.body["accountId"], acc.as_str());
}

#[tokio::test]
async fn an_unknown_user_is_404_and_a_missing_account_id_is_400_naming_the_field() {
    let app = TestApp::spawn().await;
    assert_error(&app.admin().get(&format!("{API}/user?accountId=nobody")).await, 404);
    let r = app.admin().get(&format!("{API}/user")).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("accountId"));
}

#[tokio::test]
async fn expansions_add_operations_and_details_and_leave_the_rest_expandable() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("carol").await;
    let r = app.admin().get(&format!("{API}/user?accountId={}&expand=operations,details.business", enc(&acc))).await;
    let u = &r.body;
    assert_eq!(u["operations"][0]["operation"], "use");
    assert!(u["details"]["business"].is_object());
    assert!(u["details"].get("personal").is_none());
    assert!(u["_expandable"].get("operations").is_none());
    assert!(u["_expandable"]["personalSpace"].is_string());
    let r = app
        .admin()
        .get(&format!("{API}/user?accountId={}&expand=details.personal&expand=personalSpace", enc(&acc)))
        .await;
    assert_eq!(r.body["details"]["personal"]["email"], "carol@example.com");
    assert!(r.body["_expandable"].get("personalSpace").is_none());
    let r = app.admin().get(&format!("{API}/user?accountId={}&expand=None", enc(&acc))).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn the_current_user_is_the_caller_and_anonymous_has_its_own_shape() {
    let app = TestApp::spawn().await;
    let (acc, bob) = app.plain_user("bob").await;
    let r = bob.get(&format!("{API}/user/current")).await;
    assert_eq!(r.body["accountId"], acc.as_str());
    assert_eq!(r.body["email"], "bob@example.com", "a user sees their own e-mail");
    let r = bob.get(&format!("{API}/user/anonymous")).await;
    assert_eq!(r.body["type"], "anonymous");
    assert!(r.body["profilePicture"]["path"].is_string());
    assert!(r.body["displayName"].is_string());
    assert_eq!(r.body["isExternalCollaborator"], false, "UserAnonymous documents the field");
    assert!(r.body["_links"].is_object());
    assert_error(&app.anon().get(&format!("{API}/user/current")).await, 401);
}

#[tokio::test]
async fn e_mail_addresses_are_hidden_from_other_plain_users() {
    let app = TestApp::spawn().await;
    let (alice, _) = app.plain_user("alice").await;
    let (_, bob) = app.plain_user("bob").await;
    let r = bob.get(&format!("{API}/user?accountId={}", enc(&alice))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["email"], "");
    assert_error(&bob.get(&format!("{API}/user/email?accountId={}", enc(&alice))).await, 403);
    let r = app.admin().get(&format!("{API}/user/email?accountId={}", enc(&alice))).await;
    assert_eq!(r.body, serde_json::json!({"accountId": alice, "email": "alice@example.com"}));
}

#[tokio::test]
async fn memberof_lists_a_users_groups_by_name() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.user("dave", &["confluence-users", "Zeta", "alpha"]).await;
    let r = app.admin().get(&format!("{API}/user/memberof?accountId={}", enc(&acc))).await;
    assert_eq!(r.status, 200);
    let names: Vec<&str> = r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["alpha", "confluence-users", "Zeta"]);
    assert_eq!(r.body["size"], 3);
    assert_eq!(r.body["start"], 0);
    assert_eq!(r.body["limit"], 200);
    assert!(r.body["_links"].get("next").is_none());
    assert_eq!(r.body["results"][0]["type"], "group");
    assert!(r.body["results"][0]["id"].is_string());
}

#[tokio::test]
async fn bulk_lookup_accepts_repeated_comma_joined_and_encoded_ids_and_skips_unknown_ones() {
    let app = TestApp::spawn().await;
    let ids = app.users("Bulk", 4).await;
    let q = format!(
        "accountId={}&accountId={},{}&accountId={}%2Cnobody",
        enc(&ids[0]),
        enc(&ids[1]),
        enc(&ids[2]),
        enc(&ids[3])
    );
    let r = app.admin().get(&format!("{API}/user/bulk?{q}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got: Vec<&str> =
        r.body["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for u in r.body["results"].as_array().unwrap() {
        assert!(u["email"].is_string(), "bulk results always carry an e-mail string");
        assert!(u["_expandable"].is_object() && u["_links"].is_object());
    }
    assert_error(&app.admin().get(&format!("{API}/user/bulk")).await, 400);
}

#[tokio::test]
async fn bulk_lookup_returns_at_most_200_users() {
    let app = TestApp::spawn().await;
    let ids = app.users("Many", 205).await;
    let q: Vec<String> = ids.iter().map(|i| format!("accountId={}", enc(i))).collect();
    let r = app.admin().get(&format!("{API}/user/bulk?{}", q.join("&"))).await;
    assert_eq!(r.body["size"], 200);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 200);
    let r = app.admin().get(&format!("{API}/user/bulk?{}&limit=3", q.join("&"))).await;
    assert_eq!(r.body["size"], 3);
}

#[tokio::test]
async fn email_bulk_returns_only_known_accounts() {
    let app = TestApp::spawn().await;
    let ids = app.users("Mail", 2).await;
    let r = app
        .admin()
        .get(&format!("{API}/user/email/bulk?accountId={}&accountId={}&accountId=ghost", enc(&ids[0]), enc(&ids[1])))
        .await;
    let arr = r.body.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["email"], "mail0@example.com");
}

#[tokio::test]
async fn migration_maps_usernames_and_keys_to_account_ids() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("erin").await;
    let r = app.admin().get(&format!("{API}/user/bulk/migration?username=erin&username=ghost")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["results"][0]["accountId"], acc.as_str());
    assert_eq!(r.body["results"][0]["username"], "erin");
    let key = r.body["results"][0]["key"].as_str().unwrap().to_string();
    let r = app.admin().get(&format!("{API}/user/bulk/migration?key={key}")).await;
    assert_eq!(r.body["results"][0]["accountId"], acc.as_str());
    assert_error(&app.admin().get(&format!("{API}/user/bulk/migration?key=a&username=b")).await, 400);
    assert_error(&app.admin().get(&format!("{API}/user/bulk/migration")).await, 400);
}

#[tokio::test]
async fn deactivated_users_cannot_read_and_show_as_inactive() {
    let app = TestApp::spawn().await;
    let (acc, frank) = app.plain_user("frank").await;
    let id = app.view().user_by_account(&acc).unwrap().user.id;
    app.system()
        .update_user(id, |u| {
            u.active = false;
            Ok(())
        })
        .await
        .unwrap();
    assert_error(&frank.get(&format!("{API}/group")).await, 403);
    let r = app.admin().get(&format!("{API}/user?accountId={}", enc(&acc))).await;
    assert_eq!(r.body["accountStatus"], Value::from("inactive"));
}
