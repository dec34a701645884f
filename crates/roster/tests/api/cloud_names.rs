//! The name corpus: group names with `/`, spaces, `+`, `%`, `#`, quotes and
//! non-ASCII characters round-trip through every way of naming a group.

use serde_json::json;

use crate::helpers::{enc, TestApp};

const API: &str = "/wiki/rest/api";

const CORPUS: &[&str] = &[
    "a/b",
    "with space",
    "plus+sign",
    "100%",
    "hash#tag",
    "q?mark&amp=1",
    "quote\"d 'single'",
    "back\\slash",
    "semi;colon,comma",
    "ünïcödé",
    "日本語のグループ",
    "emoji 🚀",
    " padded ",
    "%2F literally",
];

#[tokio::test]
async fn awkward_group_names_round_trip_through_every_endpoint() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.plain_user("nadia").await;
    let admin = app.admin();
    for name in CORPUS {
        let r = admin.post(&format!("{API}/group"), json!({ "name": name })).await;
        assert_eq!(r.status, 201, "{name}: {}", r.text);
        assert_eq!(r.body["name"], *name);
        let id = r.body["id"].as_str().unwrap().to_string();
        let e = enc(name);

        let r = admin.get(&format!("{API}/group/{e}")).await;
        assert_eq!(r.body["id"], id.as_str(), "path lookup of {name}: {}", r.text);
        let r = admin.get(&format!("{API}/group/by-name?name={e}")).await;
        assert_eq!(r.body["id"], id.as_str(), "query lookup of {name}");
        let plus = e.replace("%20", "+");
        let r = admin.get(&format!("{API}/group/by-name?name={plus}")).await;
        assert_eq!(r.body["id"], id.as_str(), "'+' as space for {name}");

        let r = admin.post(&format!("{API}/group/user?name={e}"), json!({"accountId": acc})).await;
        assert_eq!(r.status, 201, "{name}");
        let r = admin.get(&format!("{API}/group/{e}/member")).await;
        assert_eq!(r.body["size"], 1, "{name}: {}", r.text);
        let r = admin.get(&format!("{API}/group/member?name={e}")).await;
        assert_eq!(r.body["size"], 1, "{name}");
        let next_links_ok = r.body["_links"]["self"].as_str().unwrap().contains("name=");
        assert!(next_links_ok);
    }
    let r = admin.get(&format!("{API}/user/memberof?accountId={}", enc(&acc))).await;
    let names: Vec<&str> = r.body["results"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    for name in CORPUS {
        assert!(names.contains(name), "{name} in memberof");
    }
    for name in CORPUS {
        let r = admin.delete(&format!("{API}/group?name={}", enc(name))).await;
        assert_eq!(r.status, 204, "delete {name}: {}", r.text);
    }
}

#[tokio::test]
async fn names_are_matched_case_insensitively_including_non_ascii() {
    let app = TestApp::spawn().await;
    app.group("Équipe Ünïcode").await;
    let r = app.admin().get(&format!("{API}/group/by-name?name={}", enc("équipe ünïcode"))).await;
    assert_eq!(r.body["name"], "Équipe Ünïcode");
    let r = app.admin().post(&format!("{API}/group"), json!({"name": "ÉQUIPE ÜNÏCODE"})).await;
    assert_eq!(r.status, 400, "a taken name (createGroup has no 409)");
}
