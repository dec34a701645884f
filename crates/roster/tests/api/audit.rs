//! The audit log: every change over HTTP or the CLI is recorded with
//! actor, source, target, action, outcome and time, in the same transaction
//! as the change; admins read it at GET /wiki/rest/api/audit (Cloud's
//! shape and filters) and with `roster audit`.

use roster_core::audit::AuditQuery;
use roster_core::directory::UserInput;
use roster_core::Actor;
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

fn summaries(r: &Value) -> Vec<String> {
    r["results"].as_array().unwrap().iter().map(|x| x["summary"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn changes_over_http_are_recorded_newest_first_with_who_where_and_what() {
    let app = TestApp::spawn().await;
    let before = roster_core::types::now_ms();
    let bob = app.users("bob", 1).await.remove(0);
    let admin = app.admin();
    let r = admin.post("/wiki/rest/api/group", json!({"name": "audited-team"})).await;
    assert_eq!(r.status, 201);
    let gid = r.body["id"].as_str().unwrap().to_string();
    let path = format!("/wiki/rest/api/group/userByGroupId?groupId={gid}");
    assert_eq!(admin.post(&path, json!({"accountId": bob})).await.status, 201);
    assert_eq!(admin.post(&path, json!({"accountId": bob})).await.status, 201, "a no-op add");
    assert_eq!(admin.delete(&format!("{path}&accountId={bob}")).await.status, 204);
    assert_eq!(admin.delete(&format!("/wiki/rest/api/group/by-id?id={gid}")).await.status, 204);

    let r = admin.get("/wiki/rest/api/audit?searchString=audited-team").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        summaries(&r.body),
        ["Group deleted", "User removed from group", "User added to group", "Group created"],
        "one record per change, none for the no-op, newest first"
    );
    let admin_id = app.view().user_by_username("admin").unwrap().user.account_id.to_string();
    for rec in r.body["results"].as_array().unwrap() {
        assert_eq!(rec["author"]["accountId"], admin_id.as_str());
        assert_eq!(rec["remoteAddress"], "127.0.0.1");
        assert_eq!(rec["affectedObject"], json!({"name": "audited-team", "objectType": "Group"}));
        assert_eq!(rec["category"], "Users and groups");
        assert_eq!(rec["sysAdmin"], false);
        let at = rec["creationDate"].as_i64().unwrap();
        assert!(at >= before && at <= roster_core::types::now_ms());
        assert!(rec["description"].as_str().unwrap().contains("success"));
        for k in ["changedValues", "associatedObjects"] {
            assert!(rec[k].is_array(), "{k}");
        }
    }
    let added = &r.body["results"][2];
    assert_eq!(added["associatedObjects"], json!([{"name": bob, "objectType": "User"}]));
    assert_eq!(r.body["size"], 4);
    assert_eq!(r.body["start"], 0);
    assert_eq!(r.body["limit"], 1000);
    assert!(r.body["_links"]["base"].is_string());
}

#[tokio::test]
async fn the_audit_log_filters_by_date_and_pages() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        app.admin().post("/wiki/rest/api/group", json!({"name": format!("paged-{i}")})).await;
    }
    let admin = app.admin();
    let r = admin.get("/wiki/rest/api/audit?searchString=paged-&start=1&limit=2").await;
    assert_eq!(r.body["size"], 2);
    assert_eq!(r.body["results"][0]["affectedObject"]["name"], "paged-3");
    assert!(r.body["_links"]["next"].is_string());
    let all = admin.get("/wiki/rest/api/audit?searchString=PAGED-").await;
    let dates: Vec<i64> =
        all.body["results"].as_array().unwrap().iter().map(|x| x["creationDate"].as_i64().unwrap()).collect();
    assert_eq!(dates.len(), 5);
    let (newest, oldest) = (dates[0], dates[4]);
    let r = admin.get(&format!("/wiki/rest/api/audit?searchString=paged-&startDate={newest}&endDate={newest}")).await;
    assert!(r.body["size"].as_u64().unwrap() >= 1);
    assert!(r.body["results"].as_array().unwrap().iter().all(|x| x["creationDate"] == newest));
    let r = admin.get(&format!("/wiki/rest/api/audit?searchString=paged-&endDate={}", oldest - 1)).await;
    assert_eq!(r.body["size"], 0);
    assert_error(&admin.get("/wiki/rest/api/audit?startDate=yesterday").await, 400);
}

#[tokio::test]
async fn only_site_admins_may_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let (_, bob) = app.plain_user("bob").await;
    assert_error(&bob.get("/wiki/rest/api/audit").await, 403);
    assert_error(&app.anon().get("/wiki/rest/api/audit").await, 401);
}

#[tokio::test]
async fn a_change_that_fails_leaves_no_audit_record_behind() {
    let app = TestApp::spawn().await;
    let count = |app: &TestApp| {
        let dir = app.dir.clone();
        async move {
            dir.admin(&roster_core::Actor::System)
                .unwrap()
                .audit_log(AuditQuery { limit: 10_000, ..Default::default() })
                .await
                .unwrap()
                .records
                .len()
        }
    };
    let before = count(&app).await;
    // Two new users with one e-mail address in one call: the store refuses
    // the second, so the first, and both audit records, roll back together.
    let twin = |name: &str| UserInput {
        display_name: name.to_string(),
        email: "twin@example.com".into(),
        active: true,
        ..UserInput::default()
    };
    let admin = app.dir.admin(&Actor::System).unwrap();
    assert!(admin.create_users(&[twin("Twin One"), twin("Twin Two")]).await.is_err());
    assert!(app.dir.reader(&Actor::System).unwrap().user_by_email("twin@example.com").is_none());
    assert_eq!(count(&app).await, before);
    let r = app.admin().post("/wiki/rest/api/group", json!({"name": "site-admins"})).await;
    assert_error(&r, 400);
    assert_eq!(count(&app).await, before, "a refused duplicate is not a change");
}

#[tokio::test]
async fn command_line_changes_are_recorded_as_the_system_and_roster_audit_prints_them() {
    let app = TestApp::spawn().await;
    let uid = app.view().user_by_username("admin").unwrap().user.id;
    app.system().issue_token(uid, "ci robot").await.unwrap();
    app.system()
        .update_user(uid, |u| {
            u.display_name = "Admin Renamed".into();
            Ok(())
        })
        .await
        .unwrap();
    let r = app.admin().get("/wiki/rest/api/audit?searchString=ci%20robot").await;
    assert_eq!(summaries(&r.body), ["API token issued"]);
    let rec = &r.body["results"][0];
    assert_eq!(rec["author"]["type"], "system");
    assert_eq!(rec["remoteAddress"], "local");
    assert_eq!(rec["sysAdmin"], true);
    assert_eq!(rec["category"], "Security");
    let r = app.admin().get("/wiki/rest/api/audit?searchString=displayName").await;
    assert_eq!(summaries(&r.body), ["User details updated"]);
    assert_eq!(r.body["results"][0]["changedValues"][0]["name"], "displayName");

    let mut out = Vec::new();
    let args = ["roster", "--db", &app.db, "audit", "--search", "ci robot"].map(String::from).to_vec();
    roster::cli::run(args, &mut out, &mut Vec::new()).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].contains("\tsystem\tlocal\ttoken.issue\tsuccess\tuser "), "{text}");
}
