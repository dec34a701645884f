//! /wiki/rest/api/search/user: the CQL subset and the search envelope.

use crate::helpers::{assert_error, enc, TestApp};

const API: &str = "/wiki/rest/api";

#[tokio::test]
async fn users_are_found_by_full_name_in_the_search_envelope() {
    let app = TestApp::spawn().await;
    app.users("Quentin Rossi", 2).await;
    app.users("Rosa Silva", 1).await;
    let cql = enc(r#"type=user and user.fullname ~ "quentin""#);
    let r = app.admin().get(&format!("{API}/search/user?cql={cql}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.body;
    assert_eq!(b["totalSize"], 2);
    assert_eq!(b["size"], 2);
    assert_eq!(b["cqlQuery"], r#"type=user and user.fullname ~ "quentin""#);
    assert!(b["searchDuration"].is_number());
    let first = &b["results"][0];
    assert_eq!(first["entityType"], "user");
    assert!(first["user"]["accountId"].is_string());
    for k in ["title", "excerpt", "url", "iconCssClass", "lastModified"] {
        assert!(first[k].is_string(), "{k}");
    }
    assert!(first["breadcrumbs"].is_array());
}

#[tokio::test]
async fn users_are_found_by_account_id_and_paged() {
    let app = TestApp::spawn().await;
    let ids = app.users("Searchable", 30).await;
    let cql = enc(&format!("user.accountid = \"{}\"", ids[7]));
    let r = app.admin().get(&format!("{API}/search/user?cql={cql}")).await;
    assert_eq!(r.body["totalSize"], 1);
    assert_eq!(r.body["results"][0]["user"]["accountId"], ids[7].as_str());
    let cql = enc("type = user AND user.fullname ~ searchable");
    let r = app.admin().get(&format!("{API}/search/user?cql={cql}")).await;
    assert_eq!(r.body["size"], 25, "search pages default to 25");
    assert_eq!(r.body["totalSize"], 30);
    assert!(r.body["_links"]["next"].as_str().unwrap().contains("start=25"));
}

#[tokio::test]
async fn unsupported_cql_is_a_400_that_says_why() {
    let app = TestApp::spawn().await;
    for cql in ["space = DS", "type = page", "user.fullname ~ \"open", "type=user or user.fullname~x"] {
        let r = app.admin().get(&format!("{API}/search/user?cql={}", enc(cql))).await;
        assert_error(&r, 400);
        assert!(r.body["message"].as_str().unwrap().contains("cql"), "{}", r.text);
    }
    assert_error(&app.admin().get(&format!("{API}/search/user")).await, 400);
}
