//! Cloud REST v2 user operations (`/wiki/api/v2`): bulk lookup by account
//! id, site access by e-mail address, invitations; their limits, who may
//! call them, and the v2 error envelope.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_v2_error, TestApp};

const V2: &str = "/wiki/api/v2";

/// The keys of Atlassian's v2 `User`, in the description's order.
const USER_KEYS: &[&str] = &[
    "displayName",
    "timeZone",
    "personalSpaceId",
    "isExternalCollaborator",
    "accountStatus",
    "accountId",
    "email",
    "accountType",
    "publicName",
    "profilePicture",
];

fn ids(body: &Value) -> Vec<&str> {
    body["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn bulk_lookup_answers_the_v2_user_in_the_order_asked_each_once() {
    let app = TestApp::spawn().await;
    let (ann, ann_api) = app.plain_user("Ann").await;
    let (bob, _) = app.plain_user("Bob").await;
    let body = json!({"accountIds": [bob, "nobody", ann, bob]});
    let r = app.admin().post(&format!("{V2}/users-bulk"), body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r.body), [bob.as_str(), ann.as_str()]);
    let u = &r.body["results"][1];
    let keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = USER_KEYS.to_vec();
    want.sort();
    assert_eq!(keys, want, "exactly the description's keys: {}", r.text);
    assert_eq!(u["displayName"], "Ann Tester");
    assert_eq!(u["publicName"], "Ann Tester");
    assert!(u["timeZone"].is_null() && u["personalSpaceId"].is_null());
    assert_eq!(u["isExternalCollaborator"], false);
    assert_eq!(u["accountStatus"], "active");
    assert_eq!(u["accountType"], "atlassian");
    assert_eq!(u["email"], "Ann@example.com", "a site admin sees addresses");
    assert_eq!(u["profilePicture"], json!({"path": format!("/wiki/aa-avatar/{ann}"), "isDefault": true}));
    let base = format!("{}/wiki", app.url);
    assert_eq!(r.body["_links"], json!({ "base": base }), "no next: every user found is in the answer");
    assert_eq!(r.headers["link"], format!("<{base}>; rel=\"base\"").as_str());
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));

    // A plain user sees their own address only.
    let r = ann_api.post(&format!("{V2}/users-bulk"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["results"][0]["email"], "", "someone else's address is hidden");
    assert_eq!(r.body["results"][1]["email"], "Ann@example.com", "one's own address is shown");
}

#[tokio::test]
async fn the_time_zone_is_shown_when_known_and_null_otherwise() {
    let app = TestApp::spawn().await;
    let (ann, _) = app.plain_user("Ann").await;
    let (bob, bob_api) = app.plain_user("Bob").await;
    let id = app.view().user_by_account(&ann).unwrap().user.id;
    app.system()
        .update_user(id, |u| {
            u.details.time_zone = "Europe/Berlin".into();
            Ok(())
        })
        .await
        .unwrap();
    let r = bob_api.post(&format!("{V2}/users-bulk"), json!({"accountIds": [ann, bob]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["results"][0]["timeZone"], "Europe/Berlin", "to every viewer, as v1 shows it");
    assert!(r.body["results"][1]["timeZone"].is_null());
}

#[tokio::test]
async fn bulk_lookup_takes_one_to_250_ids_and_refuses_other_bodies_with_400() {
    let app = TestApp::spawn().await;
    let known = app.users("Many", 250).await;
    let path = format!("{V2}/users-bulk");
    let r = app.admin().post(&path, json!({ "accountIds": known })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 250);
    let mut over = known.clone();
    over.push("one-more".into());
    let r = app.admin().post(&path, json!({ "accountIds": over })).await;
    assert_v2_error(&r, 400);
    assert!(r.body["errors"][0]["title"].as_str().unwrap().contains("at most 250"), "{}", r.text);
    assert_eq!(r.body["errors"][0]["code"], "INVALID_REQUEST_PARAMETER");
    for bad in [json!({"accountIds": []}), json!({}), json!({"accountIds": "a,b"}), json!({"accountIds": [1]})] {
        let r = app.admin().post(&path, bad.clone()).await;
        assert_v2_error(&r, 400);
    }
    let r = app.admin().raw(Method::POST, &path, &[("Content-Type", "application/json")], b"{not json".to_vec()).await;
    assert_v2_error(&r, 400);
    let r = app.admin().raw(Method::POST, &path, &[("Content-Type", "application/json")], Vec::new()).await;
    assert_v2_error(&r, 400);
    // Unknown fields are ignored, as Atlassian's services do.
    let r = app.admin().post(&path, json!({"accountIds": ["nobody"], "expand": ["x"]})).await;
    assert_eq!((r.status.as_u16(), r.body["results"].clone()), (200, json!([])), "{}", r.text);
}

#[tokio::test]
async fn callers_who_may_not_use_the_site_hear_404_and_anonymous_ones_401() {
    let app = TestApp::spawn().await;
    let (_, outsider) = app.user("Olive", &["outsiders"]).await;
    let (sleeper_id, sleeper) = app.plain_user("Sleepy").await;
    let id = app.view().user_by_account(&sleeper_id).unwrap().user.id;
    app.system().set_active(id, false, "active").await.unwrap();
    let (_, plain) = app.plain_user("Plain").await;
    let emails = json!({"emails": ["x@example.com"]});
    for caller in [&outsider, &sleeper] {
        let r = caller.post(&format!("{V2}/users-bulk"), json!({"accountIds": ["a"]})).await;
        assert_v2_error(&r, 404);
        let r = caller.post(&format!("{V2}/user/access/check-access-by-email"), emails.clone()).await;
        assert_v2_error(&r, 404);
    }
    let r = plain.post(&format!("{V2}/user/access/invite-by-email"), emails.clone()).await;
    assert_v2_error(&r, 404);
    assert!(app.view().user_by_email("x@example.com").is_none(), "a refused invitation creates nobody");
    let r = app.anon().post(&format!("{V2}/users-bulk"), json!({"accountIds": ["a"]})).await;
    assert_v2_error(&r, 401);
    assert!(r.headers.contains_key("www-authenticate"));
    // Refused before the body is read: a bad body still hears 404.
    let r = outsider
        .raw(Method::POST, &format!("{V2}/users-bulk"), &[("Content-Type", "application/json")], b"[".to_vec())
        .await;
    assert_v2_error(&r, 404);
}

#[tokio::test]
async fn check_access_names_addresses_without_access_and_malformed_ones_once_each() {
    let app = TestApp::spawn().await;
    app.plain_user("Ann").await;
    app.user("Olive", &["outsiders"]).await;
    let (sleeper, _) = app.plain_user("Sleepy").await;
    let id = app.view().user_by_account(&sleeper).unwrap().user.id;
    app.system().set_active(id, false, "active").await.unwrap();
    let (_, plain) = app.plain_user("Plain").await;
    let asked = json!({"emails": [
        "ann@example.com", "ANN@example.com", "olive@example.com", "sleepy@example.com",
        "nobody@example.com", "not-an-address", "admin@example.com", "Nobody@Example.com", "two@@x"
    ]});
    let r = plain.post(&format!("{V2}/user/access/check-access-by-email"), asked).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "emailsWithoutAccess": ["olive@example.com", "sleepy@example.com", "nobody@example.com"],
            "invalidEmails": ["not-an-address", "two@@x"]
        })
    );
    let many: Vec<String> = (0..101).map(|i| format!("u{i}@example.com")).collect();
    let r = plain.post(&format!("{V2}/user/access/check-access-by-email"), json!({ "emails": many[..100] })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = plain.post(&format!("{V2}/user/access/check-access-by-email"), json!({ "emails": many })).await;
    assert_v2_error(&r, 400);
    let r = plain.post(&format!("{V2}/user/access/check-access-by-email"), json!({"emails": []})).await;
    assert_v2_error(&r, 400);
}

#[tokio::test]
async fn inviting_creates_accounts_with_access_grants_it_to_accounts_without_and_is_idempotent() {
    let app = TestApp::spawn().await;
    app.plain_user("Ann").await;
    let (olive, _) = app.user("Olive", &["outsiders"]).await;
    let (sleeper, _) = app.plain_user("Sleepy").await;
    let id = app.view().user_by_account(&sleeper).unwrap().user.id;
    app.system().set_active(id, false, "active").await.unwrap();
    let before = app.admin().get("/wiki/rest/api/audit?limit=1000").await.body["size"].as_u64().unwrap();
    let emails = json!({"emails": [
        "ann@example.com", "olive@example.com", "sleepy@example.com", "new.person@example.com", "bad", "NEW.person@example.com"
    ]});
    let path = format!("{V2}/user/access/invite-by-email");
    let r = app.admin().post(&path, emails.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "the description gives the 200 no body: {}", r.text);

    let m = app.view();
    let new = m.user_by_email("new.person@example.com").expect("an account for the unknown address");
    assert_eq!(&*new.user.display_name, "new.person");
    assert!(new.user.active && m.can_use(new), "an invitee may use the site");
    let groups: Vec<String> = m.groups_of(new).iter().map(|g| g.group.name.to_string()).collect();
    assert_eq!(groups, ["confluence-users"], "the default access group, as every new user");
    let olive = m.user_by_account(&olive).unwrap();
    assert!(m.can_use(olive), "an account without access is granted it");
    assert!(m.groups_of(olive).iter().any(|g| &*g.group.name == "confluence-users"));
    assert!(!m.user_by_account(&sleeper).unwrap().user.active, "a deactivated account stays so");
    assert!(m.user_by_email("bad").is_none());
    drop(m);

    // Audited like every write: one account created, one membership added.
    let audit = app.admin().get("/wiki/rest/api/audit?limit=1000").await.body;
    let after = audit["size"].as_u64().unwrap();
    assert!(after >= before + 2, "audit records: {before} before, {after} after");
    let text = audit.to_string();
    assert!(text.contains("new.person"), "the new account is in the audit log: {text}");

    let r = app.admin().post(&path, emails).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let again = app.admin().get("/wiki/rest/api/audit?limit=1000").await.body["size"].as_u64().unwrap();
    assert_eq!(again, after, "inviting again changes nothing");

    let r = app
        .admin()
        .post(
            &format!("{V2}/user/access/check-access-by-email"),
            json!({"emails": [
                "ann@example.com", "olive@example.com", "sleepy@example.com", "new.person@example.com"
            ]}),
        )
        .await;
    assert_eq!(r.body["emailsWithoutAccess"], json!(["sleepy@example.com"]), "{}", r.text);
}

#[tokio::test]
async fn unknown_v2_paths_and_wrong_methods_answer_in_the_v2_envelope() {
    let app = TestApp::spawn().await;
    let r = app.admin().get(&format!("{V2}/users")).await;
    assert_v2_error(&r, 404);
    assert_eq!(r.body["errors"][0]["code"], "NOT_FOUND");
    let r = app.admin().get(&format!("{V2}/users-bulk")).await;
    assert_v2_error(&r, 405);
    assert_eq!(r.body["errors"][0]["code"], "METHOD_NOT_ALLOWED");
    // v1 keeps its own shape.
    let r = app.admin().get("/wiki/rest/api/nothing-here").await;
    assert_eq!(r.body["statusCode"], 404, "{}", r.text);
}
