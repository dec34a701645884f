//! /wiki/rest/api/group...: list, lookup, picker, create, delete.

use serde_json::json;

use crate::helpers::{assert_error, enc, TestApp};

const API: &str = "/wiki/rest/api";

#[tokio::test]
async fn creating_a_group_answers_201_with_the_group() {
    let app = TestApp::spawn().await;
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "Team Rocket", "type": "group"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["type"], "group");
    assert_eq!(r.body["name"], "Team Rocket");
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = app.admin().get(&format!("{API}/group/by-id?id={id}")).await;
    assert_eq!(r.body["name"], "Team Rocket");
    let r = app.admin().get(&format!("{API}/group/by-name?name=team+rocket")).await;
    assert_eq!(r.body["id"], id.as_str());
    let r = app.admin().get(&format!("{API}/group/TEAM%20ROCKET")).await;
    assert_eq!(r.body["id"], id.as_str());
}

#[tokio::test]
async fn a_group_name_that_exists_in_any_case_is_a_400_as_atlassian_describes() {
    // Atlassian's description of createGroup lists 400 for a missing or
    // invalid name and no 409 (found by tests/contract).
    let app = TestApp::spawn().await;
    app.group("devs").await;
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "DEVS"})).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("name"), "{}", r.text);
    assert_eq!(app.view().group_count(), 3, "devs plus the two system groups");
}

#[tokio::test]
async fn creating_a_group_without_a_valid_name_is_a_400_naming_the_field() {
    let app = TestApp::spawn().await;
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(256)}),
        json!({"name": "a\u{7}b"}),
    ] {
        let r = app.admin().post(&format!("{API}/group"), body.clone()).await;
        assert_error(&r, 400);
        assert!(r.body["message"].as_str().unwrap().contains("name"), "{body}: {}", r.text);
    }
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "x".repeat(255)})).await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn unknown_groups_are_404_everywhere() {
    let app = TestApp::spawn().await;
    for path in [
        "/group/by-name?name=nope",
        "/group/by-id?id=nope",
        "/group/nope",
        "/group/member?name=nope",
        "/group/nope/member",
        "/group/nope/membersByGroupId",
    ] {
        assert_error(&app.admin().get(&format!("{API}{path}")).await, 404);
    }
    assert_error(&app.admin().delete(&format!("{API}/group?name=nope")).await, 404);
    assert_error(&app.admin().delete(&format!("{API}/group/by-id?id=nope")).await, 404);
}

#[tokio::test]
async fn deleting_a_group_by_name_or_id_removes_it_and_its_memberships() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.user("gina", &["confluence-users", "doomed", "also-doomed"]).await;
    let r = app.admin().delete(&format!("{API}/group?name=DOOMED")).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let id = app.view().group_by_name("also-doomed").unwrap().group.uuid.to_string();
    assert_eq!(app.admin().delete(&format!("{API}/group/by-id?id={id}")).await.status, 204);
    let r = app.admin().get(&format!("{API}/user/memberof?accountId={}", enc(&acc))).await;
    assert_eq!(r.body["size"], 1);
    assert_error(&app.admin().get(&format!("{API}/group/doomed")).await, 404);
    // The store agrees after a restart: no membership outlived its group.
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get(&format!("{API}/user/memberof?accountId={}", enc(&acc))).await;
    assert_eq!(r.body["size"], 1);
}

#[tokio::test]
async fn groups_are_listed_by_name_and_the_picker_matches_substrings() {
    let app = TestApp::spawn().await;
    for n in ["web-team", "Data-Team", "ops"] {
        app.group(n).await;
    }
    let r = app.admin().get(&format!("{API}/group")).await;
    let names: Vec<&str> = r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["confluence-users", "Data-Team", "ops", "site-admins", "web-team"]);
    let r = app.admin().get(&format!("{API}/group/picker?query=TEAM&shouldReturnTotalSize=true")).await;
    let names: Vec<&str> = r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Data-Team", "web-team"]);
    assert_eq!(r.body["totalSize"], 2);
    assert_error(&app.admin().get(&format!("{API}/group/picker")).await, 400);
}

#[tokio::test]
async fn access_type_lists_the_groups_that_grant_that_permission() {
    let app = TestApp::spawn().await;
    app.group("confluence-administrators").await;
    app.group("web-team").await;
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
    };
    let r = app.admin().get(&format!("{API}/group?accessType=user")).await;
    assert_eq!(names(&r.body), vec!["confluence-users"]);
    for admin in ["admin", "site-admin"] {
        let r = app.admin().get(&format!("{API}/group?accessType={admin}&shouldReturnTotalSize=true")).await;
        assert_eq!(names(&r.body), vec!["confluence-administrators", "site-admins"], "{admin}");
        assert_eq!(r.body["totalSize"], 2);
    }
    // An unknown permission is refused, not ignored.
    assert_error(&app.admin().get(&format!("{API}/group?accessType=owner")).await, 400);
    assert_error(&app.admin().get(&format!("{API}/group?accessType=")).await, 400);
}

#[tokio::test]
async fn groups_survive_a_restart() {
    let app = TestApp::spawn().await;
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "durable"})).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let (tmp, db) = app.stop().await;
    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get(&format!("{API}/group/by-id?id={id}")).await;
    assert_eq!(r.body["name"], "durable");
}

#[tokio::test]
async fn the_last_site_admin_group_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let r = app.admin().delete(&format!("{API}/group?name=site-admins")).await;
    assert_error(&r, 400);
    let id = app.view().group_by_name("site-admins").unwrap().group.uuid.to_string();
    assert_error(&app.admin().delete(&format!("{API}/group/by-id?id={id}")).await, 400);
    assert_eq!(app.admin().get(&format!("{API}/group")).await.status, 200, "the admin still administers");
    // With a second admin group, the first one may go.
    app.group("confluence-administrators").await;
    assert_eq!(app.admin().delete(&format!("{API}/group?name=site-admins")).await.status, 204);
}

#[tokio::test]
async fn two_servers_over_one_directory_each_link_groups_under_their_own_base_url() {
    let app = TestApp::spawn().await;
    let id = app.group("shared").await;
    let state = roster_http::AppState::new(app.dir.clone(), "http://second.test/ctx", None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(roster_http::serve(listener, roster_http::app(state), std::future::pending()));
    // Each server answers twice in turn, so whichever fills the group's
    // cached rendering first, the other reads it afterwards.
    for _ in 0..2 {
        for (api, base) in [
            (app.admin(), format!("{}/wiki", app.url)),
            (app.admin().at(&second), "http://second.test/ctx/wiki".into()),
        ] {
            let link = format!("{base}/rest/api/group/by-id?id={id}");
            let r = api.get(&format!("{API}/group/by-id?id={id}")).await;
            assert_eq!((r.status.as_u16(), &r.body["_links"]["self"]), (200, &json!(link)), "{}", r.text);
            let r = api.get(&format!("{API}/group?limit=200")).await;
            let listed = r.body["results"].as_array().unwrap().iter().find(|g| g["id"] == id.as_str()).cloned();
            assert_eq!(listed.map(|g| g["_links"]["self"].clone()), Some(json!(link)), "{}", r.text);
        }
    }
    server.abort();
}
