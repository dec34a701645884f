//! Fixture files (docs/fixtures.md) through `roster import`: YAML and JSON
//! alike, ids the same on every run, merged into a store that was served
//! before, idempotent, every bad record reported with `file:line: field`,
//! and credentials that sign in over HTTP. Also the JSON Schema, shipped
//! and served.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::cli::run;
use crate::helpers::{basic, fresh_db, TestApp};

const TEAM_YAML: &str = "\
# yaml-language-server: $schema=../schemas/roster-fixture.schema.json
version: 1
accessGroups: [confluence-users]
adminGroups: [site-admins, confluence-administrators]
users:
  - username: alice
    email: alice@example.com
    password: alice-s3cret
    tokens: [rst_alice_test_token_0001]
  - email: bob.builder@example.com
  - username: carol
    displayName: Carol Former
    active: false
groups: [developers, {name: qa}]
memberships:
  confluence-users: [alice, bob.builder@example.com]
  developers: [alice, carol]
  qa: [bob.builder@example.com]
";

const TEAM_JSON: &str = r#"{
  "$schema": "../schemas/roster-fixture.schema.json",
  "version": 1,
  "accessGroups": ["confluence-users"],
  "adminGroups": ["site-admins", "confluence-administrators"],
  "users": [
    {"username": "alice", "email": "alice@example.com", "password": "alice-s3cret",
     "tokens": ["rst_alice_test_token_0001"]},
    {"email": "bob.builder@example.com"},
    {"username": "carol", "displayName": "Carol Former", "active": false}
  ],
  "groups": ["developers", {"name": "qa"}],
  "memberships": {
    "confluence-users": ["alice", "bob.builder@example.com"],
    "developers": ["alice", "carol"],
    "qa": ["bob.builder@example.com"]
  }
}
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The directory as comparable text: users whole, groups by name,
/// memberships as (group name, account id). Group ids are random per store.
async fn contents(db: &str) -> (Vec<Value>, BTreeSet<String>, BTreeSet<(String, String)>) {
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("export.jsonl");
    run(db, &["export", file.to_str().unwrap()]).await.unwrap();
    let records: Vec<Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let kind = |k: &'static str| records.iter().filter(move |r| r["kind"] == k);
    let names: std::collections::HashMap<String, String> =
        kind("group").map(|g| (g["id"].as_str().unwrap().into(), g["name"].as_str().unwrap().into())).collect();
    let users = kind("user").cloned().collect();
    let groups = names.values().cloned().collect();
    let members = kind("membership")
        .map(|m| (names[m["groupId"].as_str().unwrap()].clone(), m["accountId"].as_str().unwrap().to_string()))
        .collect();
    (users, groups, members)
}

#[tokio::test]
async fn yaml_and_json_fixtures_give_the_same_directory_with_the_same_ids_on_every_run() {
    let tmp = tempfile::TempDir::new().unwrap();
    let (yaml, json) = (write(tmp.path(), "team.yaml", TEAM_YAML), write(tmp.path(), "team.json", TEAM_JSON));
    let (db1, db2) = (fresh_db(&tmp, "one.db").await, fresh_db(&tmp, "two.db").await);
    run(&db1, &["import", &yaml]).await.unwrap();
    run(&db2, &["import", &json]).await.unwrap();
    let (one, two) = (contents(&db1).await, contents(&db2).await);
    assert_eq!(one, two);
    let (users, groups, members) = one;
    assert_eq!(users.len(), 3);
    assert!(groups.contains("developers") && groups.contains("qa") && groups.contains("site-admins"), "{groups:?}");
    let alice = users.iter().find(|u| u["username"] == "alice").unwrap();
    // The documented rule, so a test may compute the id it will see.
    assert_eq!(alice["accountId"], roster_core::fixtures::account_id_for("alice"));
    assert_eq!(alice["userKey"], roster_core::fixtures::user_key_for("alice"));
    assert!(members.contains(&("developers".to_string(), alice["accountId"].as_str().unwrap().to_string())));
    let bob = users.iter().find(|u| u["email"] == "bob.builder@example.com").unwrap();
    assert_eq!(bob["displayName"], "Bob Builder");
    assert_eq!(bob["accountId"], roster_core::fixtures::account_id_for("bob.builder@example.com"));
    let carol = users.iter().find(|u| u["username"] == "carol").unwrap();
    assert_eq!(carol["active"], false);
    assert_eq!(carol["email"], "carol@example.com");
}

#[tokio::test]
async fn a_fixture_merges_into_a_store_that_was_served_and_reimporting_changes_nothing() {
    // The getting-started order: serve first (which creates the admin and
    // its groups), then import.
    let app = TestApp::spawn().await;
    let (tmp, db) = app.stop().await;
    let yaml = write(tmp.path(), "team.yaml", TEAM_YAML);
    let out = run(&db, &["import", &yaml]).await.unwrap();
    assert!(out.contains("group confluence-users: already present"), "{out}");
    assert!(out.contains("group developers: created"), "{out}");
    assert!(out.contains("user alice: created"), "{out}");
    assert!(out.contains("3 users created"), "{out}");

    let again = run(&db, &["import", &yaml]).await.unwrap();
    assert!(again.contains("0 groups created") && again.contains("0 users created, 0 updated, 3 unchanged"), "{again}");
    assert!(again.contains("0 memberships added, 5 present; 0 tokens added, 1 present"), "{again}");

    // A field that differs from the stored user is applied.
    let changed = write(tmp.path(), "team.yaml", &TEAM_YAML.replace("Carol Former", "Carol Renamed"));
    let out = run(&db, &["import", &changed]).await.unwrap();
    assert!(out.contains("user carol: updated (displayName)"), "{out}");
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/rest/api/user?username=carol").await;
    assert_eq!(r.body["displayName"], "Carol Renamed", "{:?}", r.body);
    let r = app.admin().get("/wiki/rest/api/group/member?name=confluence-users&limit=200").await;
    let n = r.body["results"].as_array().unwrap().len();
    assert_eq!(n, 3, "the served admin and the two fixture members: {:?}", r.body);
}

#[tokio::test]
async fn json_lines_naming_a_group_the_first_start_created_merge_into_it() {
    let app = TestApp::spawn().await;
    let (tmp, db) = app.stop().await;
    let file = write(
        tmp.path(),
        "data.jsonl",
        &[
            r#"{"kind":"user","accountId":"acc-ann","displayName":"Ann Lee","email":"ann@example.com"}"#,
            r#"{"kind":"group","id":"7c6b1f0e-1111-4222-8333-944455556666","name":"confluence-users","type":"group"}"#,
            r#"{"kind":"membership","groupId":"7c6b1f0e-1111-4222-8333-944455556666","accountId":"acc-ann"}"#,
        ]
        .join("\n"),
    );
    let out = run(&db, &["import", &file]).await.unwrap();
    assert!(out.contains("group confluence-users: already present (merged by name)"), "{out}");
    assert!(out.contains("1 users added") && out.contains("1 memberships added"), "{out}");
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/wiki/rest/api/user/memberof?accountId=acc-ann").await;
    assert_eq!(r.body["results"][0]["name"], "confluence-users", "{:?}", r.body);
}

#[tokio::test]
async fn every_bad_record_is_reported_with_file_line_and_field_and_nothing_is_written() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = fresh_db(&tmp, "bad.db").await;
    crate::helpers::new_store(&db).await;
    let bad = "\
version: 1
users:
  - username: ok
    email: ok@example.com
  - username: typo
    emial: typo@example.com
  - username: Bad Name
    email: not-an-address
  - username: tok
    tokens: [not-a-token]
  - username: maybe
    active: perhaps
groups: [developers]
memberships:
  developers: [ok, nobody]
  ghosts: [ok]
";
    let file = write(tmp.path(), "bad.yaml", bad);
    let err = run(&db, &["import", &file]).await.unwrap_err();
    for expected in [
        "bad.yaml:6: emial: unknown field",
        "bad.yaml:7: username:",
        "bad.yaml:8: email:",
        "bad.yaml:10: tokens:",
        "bad.yaml:12: active:",
        "bad.yaml:15: memberships: unknown user 'nobody'",
        "bad.yaml:16: memberships: unknown group 'ghosts'",
        "7 problem(s); nothing was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let json = write(tmp.path(), "bad.json", "{\"version\": 1,\n \"users\": [{\"username\": \"x\",}]}");
    let err = run(&db, &["import", &json]).await.unwrap_err();
    assert!(err.contains("bad.json:2: file: not valid JSON"), "{err}");
    // Nothing from the good records either.
    assert!(!run(&db, &["user", "list"]).await.unwrap().contains("ok@example.com"));
    assert!(!run(&db, &["group", "list"]).await.unwrap().contains("developers"));
}

#[tokio::test]
async fn a_fixture_for_other_admin_groups_than_the_servers_is_refused() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = fresh_db(&tmp, "policy.db").await;
    let file = write(tmp.path(), "p.yaml", "version: 1\nadminGroups: [wiki-admins]\nusers: [{username: a}]\n");
    let err = run(&db, &["import", &file]).await.unwrap_err();
    assert!(err.contains("p.yaml:2: adminGroups: the server uses"), "{err}");
    assert!(!run(&db, &["user", "list"]).await.unwrap().contains("a@example.com"));
}

#[tokio::test]
async fn a_user_imported_with_a_password_and_a_token_signs_in_over_http() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = fresh_db(&tmp, "creds.db").await;
    let file = write(tmp.path(), "team.yaml", TEAM_YAML);
    run(&db, &["import", &file]).await.unwrap();
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    for auth in [basic("alice", "alice-s3cret"), basic("alice@example.com", "rst_alice_test_token_0001")] {
        let r = app.with_auth(&auth).get("/wiki/rest/api/user/current").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["displayName"], "Alice");
    }
    let r = app.with_auth(&basic("alice", "wrong")).get("/wiki/rest/api/user/current").await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn the_shipped_json_schema_is_the_generated_one_and_is_served_without_credentials() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/roster-fixture.schema.json");
    let generated = roster_core::fixtures::schema_text();
    if std::env::var_os("ROSTER_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(shipped, generated, "rerun with ROSTER_UPDATE_SCHEMA=1 to rewrite {}", path.display());
    let app = TestApp::spawn().await;
    let r = app.anon().get("/rest/roster/1.0/fixture-schema.json").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, serde_json::from_str::<Value>(&shipped).unwrap());
    assert!(r.body["properties"]["users"].is_object(), "{}", r.body);
}

#[tokio::test]
async fn a_server_started_with_a_fixture_as_its_seed_serves_the_fixture_users() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let tmp = tempfile::TempDir::new().unwrap();
    let seed = write(tmp.path(), "team.yaml", TEAM_YAML);
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0", "--seed", &seed])
        .env("ROSTER_ADMIN_TOKEN", "rst_fixture-seed-test-token-0000000000000")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let url = loop {
        let Some(line) = lines.next() else { panic!("server exited early:\n{}", seen.join("\n")) };
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break format!("http://{}", rest.split_whitespace().next().unwrap());
        }
        seen.push(line);
    };
    std::thread::spawn(move || for _ in lines {});
    let r = reqwest::Client::new()
        .get(format!("{url}/rest/api/user?username=alice"))
        .header("Authorization", basic("alice", "alice-s3cret"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["userKey"], roster_core::fixtures::user_key_for("alice"));
}

#[tokio::test]
async fn conflicts_with_stored_users_are_all_listed_and_nothing_is_written() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = fresh_db(&tmp, "conflict.db").await;
    let first = "version: 1\nusers:\n  - {username: ann, email: ann@example.com}\n  - {username: ben, email: ben@example.com, tokens: [rst_ben_test_token_000001]}\n";
    run(&db, &["import", &write(tmp.path(), "first.yaml", first)]).await.unwrap();
    let second = "\
version: 1
users:
  - {username: ann, email: ben@example.com}
  - {username: ben, accountId: other-id}
  - {username: cat, email: cat@example.com, tokens: [rst_ben_test_token_000001]}
groups: [newcomers]
";
    let err = run(&db, &["import", &write(tmp.path(), "second.yaml", second)]).await.unwrap_err();
    for expected in [
        "second.yaml:3: email: its username is stored user",
        "second.yaml:4: accountId: other-id differs from the stored user's",
        "second.yaml:5: tokens: a token is already another user's",
        "3 problem(s); nothing was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!run(&db, &["group", "list"]).await.unwrap().contains("newcomers"));
    assert!(!run(&db, &["user", "list"]).await.unwrap().contains("cat@example.com"));
}

#[tokio::test]
async fn memberships_may_name_the_servers_access_and_admin_groups_without_listing_them() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = fresh_db(&tmp, "standing.db").await;
    let file = write(
        tmp.path(),
        "standing.yaml",
        "version: 1\nusers: [{username: dan}]\nmemberships:\n  confluence-users: [dan]\n  site-admins: [dan]\n",
    );
    let said = run(&db, &["import", &file]).await.unwrap();
    assert!(said.contains("confluence-users"), "{said}");
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/rest/api/user/memberof?username=dan").await;
    let names: BTreeSet<String> =
        r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, BTreeSet::from(["confluence-users".to_string(), "site-admins".to_string()]));
    // Any other group still has to be listed: a typo is not a new group.
    let typo = write(
        app.tmp.path(),
        "typo.yaml",
        "version: 1\nusers: [{username: eve}]\nmemberships:\n  confluence-user: [eve]\n",
    );
    let (tmp, db) = app.stop().await;
    let err = run(&db, &["import", &typo]).await.unwrap_err();
    assert!(err.contains("unknown group 'confluence-user'"), "{err}");
    drop(tmp);
}

#[tokio::test]
async fn a_time_zone_given_in_a_fixture_or_json_lines_is_the_cloud_users_time_zone() {
    let app = TestApp::spawn().await;
    let (tmp, db) = app.stop().await;
    let yaml = "version: 1\nusers:\n  - {username: tz.ana, timeZone: Europe/Lisbon}\n  - {username: tz.ben}\n";
    let file = write(tmp.path(), "tz.yaml", yaml);
    run(&db, &["import", &file]).await.unwrap();
    let lines =
        r#"{"kind":"user","accountId":"acc-tz-cy","displayName":"Cy","email":"cy@example.com","timeZone":"Etc/GMT+5"}"#;
    let jsonl = write(tmp.path(), "tz.jsonl", lines);
    run(&db, &["import", &jsonl]).await.unwrap();
    // A changed zone is applied on the next import, and named in its report.
    let moved = write(tmp.path(), "tz.yaml", &yaml.replace("Europe/Lisbon", "America/Argentina/Salta"));
    let out = run(&db, &["import", &moved]).await.unwrap();
    assert!(out.contains("user tz.ana: updated (timeZone)"), "{out}");
    // Export carries it, so a round trip keeps it.
    let exported = run(&db, &["export"]).await.unwrap();
    assert!(exported.contains(r#""timeZone":"America/Argentina/Salta""#), "{exported}");

    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let zone = |body: &Value| body["timeZone"].clone();
    let ana = roster_core::fixtures::account_id_for("tz.ana");
    let r = app.admin().get(&format!("/wiki/rest/api/user?accountId={ana}")).await;
    assert_eq!(zone(&r.body), "America/Argentina/Salta", "{:?}", r.body);
    let ben = roster_core::fixtures::account_id_for("tz.ben");
    let r = app.admin().get(&format!("/wiki/rest/api/user?accountId={ben}&expand=operations")).await;
    assert_eq!(zone(&r.body), Value::Null, "unknown is null, in the expanded form too: {:?}", r.body);
    let r = app.admin().get("/wiki/rest/api/user/bulk?accountId=acc-tz-cy").await;
    assert_eq!(zone(&r.body["results"][0]), "Etc/GMT+5", "{:?}", r.body);

    // A zone that is no IANA name is reported with its line and field.
    let (tmp, db) = app.stop().await;
    let bad =
        write(tmp.path(), "bad.yaml", "version: 1\nusers:\n  - username: tz.dee\n    timeZone: \"GMT +1 (Berlin)\"\n");
    let err = run(&db, &["import", &bad]).await.unwrap_err();
    assert!(err.contains("bad.yaml:4: timeZone: must be an IANA time zone name"), "{err}");
}
