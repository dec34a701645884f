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
    for cql in ["space = DS", "type = page", "user.fullname ~ \"open", "type != user", "user in (a", "user ~ a"] {
        let r = app.admin().get(&format!("{API}/search/user?cql={}", enc(cql))).await;
        assert_error(&r, 400);
        assert!(r.body["message"].as_str().unwrap().contains("cql"), "{}", r.text);
    }
    assert_error(&app.admin().get(&format!("{API}/search/user")).await, 400);
}

#[tokio::test]
async fn each_search_word_must_start_a_word_of_the_name_not_sit_inside_one() {
    let app = TestApp::spawn().await;
    app.users("Quentin Rossi-Bianchi", 1).await;
    app.users("Rosa Silva", 1).await;
    app.users("Ambrose Ng", 1).await;
    let titles = |cql: &'static str| {
        let url = format!("{API}/search/user?cql={}", enc(cql));
        let api = app.admin();
        async move {
            let r = api.get(&url).await;
            assert_eq!(r.status, 200, "{cql}: {}", r.text);
            let mut names: Vec<String> = r.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["title"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            assert_eq!(r.body["totalSize"], names.len(), "{cql}");
            names
        }
    };
    // A first or a later word counts; a hyphen splits words; the middle of a word does not.
    assert_eq!(titles(r#"user.fullname ~ "ros""#).await, ["Quentin Rossi-Bianchi 0000", "Rosa Silva 0000"]);
    assert_eq!(titles(r#"user.fullname ~ "bia""#).await, ["Quentin Rossi-Bianchi 0000"]);
    assert!(titles(r#"user.fullname ~ "ossi""#).await.is_empty(), "inside a word");
    assert!(titles(r#"user.fullname ~ "brose""#).await.is_empty(), "inside a word");
    // Every word must match, each clause must hold, `*` is ignored.
    assert_eq!(titles(r#"user.fullname ~ "ro* si""#).await, ["Rosa Silva 0000"]);
    assert_eq!(titles(r#"user.fullname ~ "ro" and user.fullname ~ "qu""#).await, ["Quentin Rossi-Bianchi 0000"]);
    assert!(titles(r#"user.fullname ~ "rosa quentin""#).await.is_empty());
}

#[tokio::test]
async fn two_different_account_ids_find_nobody() {
    let app = TestApp::spawn().await;
    let ids = app.users("Pair", 2).await;
    let cql = enc(&format!("user.accountid = \"{}\" and user = \"{}\"", ids[0], ids[1]));
    let r = app.admin().get(&format!("{API}/search/user?cql={cql}")).await;
    assert_eq!((r.status.as_u16(), &r.body["totalSize"]), (200, &serde_json::json!(0)), "{}", r.text);
    let cql = enc(&format!("user.accountid = \"{}\" and user.fullname ~ \"pa\"", ids[1]));
    let r = app.admin().get(&format!("{API}/search/user?cql={cql}")).await;
    assert_eq!(r.body["results"][0]["user"]["accountId"], ids[1].as_str(), "{}", r.text);
}

/// The account ids of the users a query finds, sorted.
async fn found(app: &TestApp, cql: &str) -> Vec<String> {
    let r = app.admin().get(&format!("{API}/search/user?cql={}&limit=200", enc(cql))).await;
    assert_eq!(r.status, 200, "{cql}: {}", r.text);
    let mut ids: Vec<String> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["user"]["accountId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(r.body["totalSize"], ids.len(), "{cql}");
    ids.sort();
    ids
}

#[tokio::test]
async fn in_not_in_not_equal_or_and_parentheses_combine_as_atlassian_lists_them() {
    let app = TestApp::spawn().await;
    let ada = app.users("Ada Lovelace", 1).await.remove(0);
    let alan = app.users("Alan Turing", 1).await.remove(0);
    let jo = app.users("Jo Smith", 1).await.remove(0);
    let jonas = app.users("Jonas Berg", 1).await.remove(0);
    let every = found(&app, "type = user").await;
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    let all_but = |out: &[&String]| every.iter().filter(|a| !out.contains(a)).cloned().collect::<Vec<String>>();

    assert_eq!(found(&app, &format!("user IN (\"{ada}\", \"{alan}\")")).await, sorted(vec![&ada, &alan]));
    assert_eq!(found(&app, &format!("user.accountid in ({ada}, ghost)")).await, vec![ada.clone()]);
    assert_eq!(found(&app, &format!("user != \"{ada}\"")).await, all_but(&[&ada]));
    assert_eq!(found(&app, &format!("user NOT IN (\"{ada}\", \"{jo}\")")).await, all_but(&[&ada, &jo]));
    assert_eq!(found(&app, "user.fullname ~ jo or user.fullname ~ ada").await, sorted(vec![&ada, &jo, &jonas]));
    assert_eq!(
        found(&app, &format!("(user.fullname ~ jo or user.fullname ~ ada) and user != {jonas}")).await,
        sorted(vec![&ada, &jo])
    );
    assert_eq!(found(&app, "type = user and not user.fullname ~ jo").await, all_but(&[&jo, &jonas]));
    assert_eq!(found(&app, "user.fullname !~ \"jo\"").await, all_but(&[&jo, &jonas]));
    // `=` and IN on user.fullname compare the whole name (ignoring case); `~` matches word starts.
    assert_eq!(found(&app, "user.fullname = \"jo smith 0000\"").await, vec![jo.clone()]);
    assert_eq!(
        found(&app, "user.fullname in (\"Jo Smith 0000\", \"Alan Turing 0000\")").await,
        sorted(vec![&alan, &jo])
    );
    assert_eq!(found(&app, "user.fullname = \"jo\"").await, Vec::<String>::new());
    // `and` binds tighter than `or`.
    assert_eq!(found(&app, &format!("user = {ada} or user = {alan} and user.fullname ~ jo")).await, vec![ada.clone()]);
}
