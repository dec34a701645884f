//! Extender group reads: /rest/extender/1.0/group/getUsers/{GROUP} at the
//! three detail levels, its paging and dateFormat, and group/getGroups.

use serde_json::Value;

use crate::helpers::{assert_error, enc, TestApp};

const EXT: &str = "/rest/extender/1.0";

fn names(body: &Value) -> Vec<String> {
    body["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn get_users_lists_members_with_and_without_product_access_by_name() {
    let app = TestApp::spawn().await;
    app.user("ann", &["crew", "confluence-users"]).await;
    app.user("bob", &["crew"]).await;
    let r = app.admin().get(&format!("{EXT}/group/getUsers/crew")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "success");
    assert_eq!(
        (r.body["total"].as_u64(), r.body["maxResults"].as_u64(), r.body["startAt"].as_u64()),
        (Some(2), Some(100), Some(0))
    );
    assert_eq!(names(&r.body), vec!["ann", "bob"]);
    assert_eq!(r.body["users"][0].as_object().unwrap().len(), 1, "only the name without detail flags");
}

#[tokio::test]
async fn basic_details_add_full_name_key_and_email() {
    let app = TestApp::spawn().await;
    app.user("ann", &["crew"]).await;
    let r = app.admin().get(&format!("{EXT}/group/getUsers/crew?showBasicDetails=true")).await;
    let u = &r.body["users"][0];
    assert_eq!(u["fullName"], "ann Tester");
    assert_eq!(u["email"], "ann@example.com");
    let key = u["key"].as_str().unwrap();
    assert_eq!(key, &*app.view().user_by_username("ann").unwrap().user.user_key);
    assert_eq!(u.as_object().unwrap().len(), 4);
}

#[tokio::test]
async fn extended_details_carry_profile_arrays_dates_and_access() {
    let app = TestApp::spawn().await;
    app.user("ann", &["crew", "confluence-users"]).await;
    app.user("bob", &["crew"]).await;
    let r = app.admin().get(&format!("{EXT}/group/getUsers/crew?showExtendedDetails=true")).await;
    let users = r.body["users"].as_array().unwrap();
    let ann = &users[0];
    assert_eq!(ann["business"], serde_json::json!([{"location": "", "position": "", "department": ""}]));
    assert_eq!(ann["personal"], serde_json::json!([{"website": "", "im": "", "phone": ""}]));
    assert!(ann["createdDate"].as_i64().unwrap() > 1_600_000_000_000);
    let created = ann["createdDateString"].as_str().unwrap();
    assert_eq!(created.len(), "yyyy-MM-dd HH:mm:ss".len(), "{created}");
    assert!(ann["updatedDate"].is_i64() && ann["updatedDateString"].is_string());
    for k in
        ["lastSuccessfulLoginDate", "lastFailedLoginDate", "lastSuccessfulLoginDateString", "lastFailedLoginDateString"]
    {
        assert!(ann[k].is_null(), "{k} of a user who never signed in");
    }
    assert_eq!(ann["hasAccessToUseConfluence"], true);
    assert_eq!(users[1]["hasAccessToUseConfluence"], false, "members without access are listed too");
    assert_eq!(ann["name"], "ann");
    assert!(ann["key"].is_string() && ann["email"] == "ann@example.com");
}

#[tokio::test]
async fn date_format_follows_java_simple_date_format_patterns() {
    let app = TestApp::spawn().await;
    app.user("ann", &["crew"]).await;
    let created = app.view().user_by_username("ann").unwrap().user.created_ms;
    let t = chrono_like(created);
    for (pattern, want) in [
        ("yyyy-MM-dd", format!("{}-{}-{}", t.0, t.1, t.2)),
        ("MM/dd/yyyy", format!("{}/{}/{}", t.1, t.2, t.0)),
        ("dd.MM.yyyy HH:mm:ss", format!("{}.{}.{} {}:{}:{}", t.2, t.1, t.0, t.3, t.4, t.5)),
        ("'day' d", format!("day {}", t.2.trim_start_matches('0'))),
    ] {
        let r = app
            .admin()
            .get(&format!("{EXT}/group/getUsers/crew?showExtendedDetails=true&dateFormat={}", enc(pattern)))
            .await;
        assert_eq!(r.body["users"][0]["createdDateString"], want.as_str(), "{pattern}");
    }
}

/// (yyyy, MM, dd, HH, mm, ss) of epoch milliseconds in UTC, zero-padded.
fn chrono_like(ms: i64) -> (String, String, String, String, String, String) {
    let s = roster_http::dialects::extender::dates::DateFormat::parse("yyyy MM dd HH mm ss").unwrap().format(ms);
    let p: Vec<String> = s.split(' ').map(String::from).collect();
    (p[0].clone(), p[1].clone(), p[2].clone(), p[3].clone(), p[4].clone(), p[5].clone())
}

#[tokio::test]
async fn an_invalid_date_format_is_a_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    app.user("ann", &["crew"]).await;
    for bad in ["yyyy-qq", "'open", "XXXX"] {
        let r = app
            .admin()
            .get(&format!("{EXT}/group/getUsers/crew?showExtendedDetails=true&dateFormat={}", enc(bad)))
            .await;
        assert_error(&r, 400);
        assert!(r.body["message"].as_str().unwrap().contains("dateFormat"), "{}", r.text);
    }
    let r = app.admin().get(&format!("{EXT}/user/getUserDetails/ann?dateFormat=ZZ-bb")).await;
    assert_error(&r, 400);
}

#[tokio::test]
async fn get_users_pages_with_start_at_and_max_results() {
    let app = TestApp::spawn().await;
    app.group("big").await;
    let ids = app.users("pager", 7).await;
    app.add_members("big", &ids).await;
    let mut seen = Vec::new();
    for start in (0..7).step_by(3) {
        let r = app.admin().get(&format!("{EXT}/group/getUsers/big?startAt={start}&maxResults=3")).await;
        assert_eq!(r.body["total"], 7);
        assert_eq!(r.body["maxResults"], 3);
        assert_eq!(r.body["startAt"], start);
        seen.extend(names(&r.body));
    }
    assert_eq!(seen.len(), 7);
    let r = app.admin().get(&format!("{EXT}/group/getUsers/big?startAt=7")).await;
    assert_eq!(names(&r.body).len(), 0);
    let r = app.admin().get(&format!("{EXT}/group/getUsers/big?maxResults=5000")).await;
    assert_eq!(r.body["maxResults"], 1000, "the effective cap is echoed");
    assert_error(&app.admin().get(&format!("{EXT}/group/getUsers/big?startAt=-1")).await, 400);
    assert_error(&app.admin().get(&format!("{EXT}/group/getUsers/big?showBasicDetails=maybe")).await, 400);
}

#[tokio::test]
async fn group_names_in_the_path_may_be_encoded_or_carry_a_raw_slash() {
    let app = TestApp::spawn().await;
    app.user("ann", &["R&D / Ops"]).await;
    let r = app.admin().get(&format!("{EXT}/group/getUsers/{}", enc("r&d / ops"))).await;
    assert_eq!(names(&r.body), vec!["ann"], "{}", r.text);
    let r = app.admin().get(&format!("{EXT}/group/getUsers/R%26D%20/%20Ops")).await;
    assert_eq!(names(&r.body), vec!["ann"], "{}", r.text);
}

#[tokio::test]
async fn an_unknown_group_is_404_and_callers_need_product_access() {
    let app = TestApp::spawn().await;
    assert_error(&app.admin().get(&format!("{EXT}/group/getUsers/nope")).await, 404);
    assert_error(&app.anon().get(&format!("{EXT}/group/getUsers/confluence-users")).await, 401);
    let (_, outsider) = app.user("outsider", &[]).await;
    assert_error(&outsider.get(&format!("{EXT}/group/getGroups")).await, 403);
    let (_, plain) = app.plain_user("plain").await;
    let r = plain.get(&format!("{EXT}/group/getUsers/confluence-users?showBasicDetails=true")).await;
    assert_eq!(r.status, 200, "available for all confluence users");
    let admin = r.body["users"].as_array().unwrap().iter().find(|u| u["name"] == "admin").unwrap().clone();
    assert_eq!(admin["email"], "", "other users' addresses are hidden from non-admins");
}

#[tokio::test]
async fn get_groups_lists_names_in_order_with_paging() {
    let app = TestApp::spawn().await;
    for g in ["beta", "Alpha", "gamma"] {
        app.group(g).await;
    }
    let r = app.admin().get(&format!("{EXT}/group/getGroups")).await;
    assert_eq!(r.body["status"], "success");
    assert_eq!(r.body["maxResults"], 50);
    assert_eq!(r.body["total"], 5);
    let all: Vec<&str> = r.body["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
    assert_eq!(all, vec!["Alpha", "beta", "confluence-users", "gamma", "site-admins"]);
    let r = app.admin().get(&format!("{EXT}/group/getGroups?startAt=1&maxResults=2")).await;
    assert_eq!(r.body["groups"], serde_json::json!(["beta", "confluence-users"]));
    assert_eq!(r.body["total"], 5);
}

#[tokio::test]
async fn extender_answers_under_the_confluence_context_path_too() {
    let app = TestApp::spawn().await;
    let r = app.admin().get(&format!("/confluence{EXT}/group/getGroups")).await;
    assert_eq!(r.status, 200, "{}", r.text);
}
