//! roster's user administration for the console under /rest/roster/1.0:
//! finding users by name, username or e-mail, one user's figures, issuing
//! and revoking API tokens, and a group's members filtered and paged.

use serde_json::json;

use crate::helpers::{assert_error, basic, enc, TestApp};

const USERS: &str = "/rest/roster/1.0/users";
const MEMBERS: &str = "/rest/roster/1.0/group-members";

fn names(body: &serde_json::Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|u| u["displayName"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn users_are_found_by_name_words_whole_username_or_whole_email() {
    let app = TestApp::spawn().await;
    let (ada, _) = app.plain_user("Ada").await;
    app.plain_user("Adam").await;
    app.plain_user("Grace").await;
    let a = app.admin();

    let r = a.get(&format!("{USERS}?query=ada%40EXAMPLE.com")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r.body), ["Ada Tester"]);
    assert_eq!(r.body["totalSize"], 1);
    let u = &r.body["results"][0];
    assert_eq!(u["accountId"], ada.as_str());
    assert_eq!(u["username"], "ada");
    assert_eq!(u["email"], "Ada@example.com");
    assert_eq!(u["active"], true);

    // A username matches whole; the same text also starts a name word.
    let r = a.get(&format!("{USERS}?query=adam")).await;
    assert_eq!(names(&r.body), ["Adam Tester"]);
    // "ada" is Ada's username and starts Adam's name: the exact one first.
    let r = a.get(&format!("{USERS}?query=ada")).await;
    assert_eq!(names(&r.body), ["Ada Tester", "Adam Tester"]);
    assert_eq!(r.body["totalSize"], 2);
    // An exact match comes first even when a name match precedes it.
    let r = a.get(&format!("{USERS}?query=adam%40example.com")).await;
    assert_eq!(names(&r.body), ["Adam Tester"]);
    let r = a.get(&format!("{USERS}?query=nobody%40example.com")).await;
    assert_eq!(r.body["totalSize"], 0);
    assert_eq!(r.body["results"], json!([]));
}

#[tokio::test]
async fn a_blank_search_pages_through_every_user() {
    let app = TestApp::spawn().await;
    app.users("Paged Person", 30).await;
    let a = app.admin();
    let all = a.get(USERS).await;
    let total = all.body["totalSize"].as_u64().unwrap();
    assert!(total >= 30, "{}", all.text);
    assert_eq!(all.body["size"], 25);
    let last = a.get(&format!("{USERS}?start={}&limit=10", total - 3)).await;
    assert_eq!(last.body["size"], 3);
    assert_eq!(last.body["start"], total - 3);
    assert_eq!(a.get(&format!("{USERS}?limit=1000")).await.body["limit"], 200);
    let r = a.get(&format!("{USERS}?query=paged&start=28&limit=5")).await;
    assert_eq!(names(&r.body), ["Paged Person 0028", "Paged Person 0029"]);
    assert_eq!(r.body["totalSize"], 30);
    assert_error(&a.get(&format!("{USERS}?query={}", "w%20".repeat(11))).await, 400);
    assert_error(&a.get(&format!("{USERS}?query={}", "x".repeat(1001))).await, 400);
}

#[tokio::test]
async fn only_site_admins_use_the_admin_user_routes() {
    let app = TestApp::spawn().await;
    let (ada, plain) = app.plain_user("Ada").await;
    let crew = app.group("crew").await;
    let _ = crew;
    assert_error(&plain.get(USERS).await, 403);
    assert_error(&plain.get(&format!("{USERS}/{}", enc(&ada))).await, 403);
    assert_error(&plain.post(&format!("{USERS}/{}/tokens", enc(&ada)), json!({})).await, 403);
    assert_error(&plain.delete(&format!("{USERS}/{}/tokens", enc(&ada))).await, 403);
    assert_error(&plain.get(&format!("{MEMBERS}?name=crew")).await, 403);
    assert_error(&app.anon().get(USERS).await, 401);
    assert_error(&app.admin().get(&format!("{USERS}/nobody")).await, 404);
    assert_error(&app.admin().post(&format!("{USERS}/nobody/tokens"), json!({})).await, 404);
    assert_error(&app.admin().get(&format!("{MEMBERS}?name=nope")).await, 404);
    assert_error(&app.admin().get(MEMBERS).await, 400);
}

#[tokio::test]
async fn a_token_is_shown_once_works_and_stops_working_when_revoked() {
    let app = TestApp::spawn().await;
    let (ada, _) = app.plain_user("Ada").await;
    let a = app.admin();
    let one = format!("{USERS}/{}", enc(&ada));
    assert_eq!(a.get(&one).await.body["tokens"], 1, "the helper issued one");

    let r = a.post(&format!("{one}/tokens"), json!({"label": "sync job"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["label"], "sync job");
    assert_eq!(r.body["accountId"], ada.as_str());
    let token = r.body["token"].as_str().unwrap().to_string();
    let detail = a.get(&one).await;
    assert_eq!(detail.body["tokens"], 2);
    assert!(!detail.text.contains(&token), "the token is never shown again");
    // No body: the label defaults.
    let r = app.admin().send(reqwest::Method::POST, &format!("{one}/tokens"), None).await;
    assert_eq!(r.body["label"], "console", "{}", r.text);
    assert_error(&a.post(&format!("{one}/tokens"), json!({"label": "x".repeat(256)})).await, 400);

    let client = app.with_auth(&basic("ada@example.com", &token));
    assert_eq!(client.get("/wiki/rest/api/user/current").await.body["accountId"], ada.as_str());

    let r = a.delete(&format!("{one}/tokens")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["revoked"], 3);
    assert_error(&client.get("/wiki/rest/api/user/current").await, 401);
    assert_eq!(a.get(&one).await.body["tokens"], 0);
    assert_eq!(a.delete(&format!("{one}/tokens")).await.body["revoked"], 0);

    let audit = a.get("/wiki/rest/api/audit?searchString=token.").await;
    let summaries: Vec<&str> =
        audit.body["results"].as_array().unwrap().iter().filter_map(|r| r["description"].as_str()).collect();
    assert!(summaries.iter().any(|d| d.starts_with("token.revoke")), "{summaries:?}");
    assert!(summaries.iter().any(|d| d.contains("label: sync job")), "{summaries:?}");
}

#[tokio::test]
async fn a_large_groups_members_are_filtered_and_paged_on_the_server() {
    let app = TestApp::spawn().await;
    app.group("big").await;
    let ids = app.users("Big Member", 5000).await;
    app.add_members("big", &ids).await;
    let (ada, _) = app.plain_user("Ada").await;
    app.add_members("big", &[ada]).await;
    let a = app.admin();

    let r = a.get(&format!("{MEMBERS}?name=big&start=4990&limit=25")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totalSize"], 5001);
    assert_eq!(r.body["size"], 11);
    let r = a.get(&format!("{MEMBERS}?name=big&filter=ada")).await;
    assert_eq!(names(&r.body), ["Ada Tester"]);
    let r = a.get(&format!("{MEMBERS}?name=big&filter=ada%40example.com")).await;
    assert_eq!(names(&r.body), ["Ada Tester"]);
    let r = a.get(&format!("{MEMBERS}?name=big&filter=4999")).await;
    assert_eq!(names(&r.body), ["Big Member 4999"]);
    let r = a.get(&format!("{MEMBERS}?name=big&filter=big%20member&start=100&limit=3")).await;
    assert_eq!(r.body["totalSize"], 5000);
    assert_eq!(names(&r.body), ["Big Member 0100", "Big Member 0101", "Big Member 0102"]);
    // A user who matches but is not a member is not listed.
    app.plain_user("Adalbert").await;
    assert_eq!(a.get(&format!("{MEMBERS}?name=big&filter=ada")).await.body["totalSize"], 1);
}
