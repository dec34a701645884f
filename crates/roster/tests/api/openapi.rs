//! The OpenAPI 3.1 description at `/rest/roster/1.0/openapi.json`: served
//! without credentials, covering all three dialects, and every operation it
//! describes is really routed. The other direction (every route is
//! described) holds by construction: the router is built from the same
//! `utoipa_axum` value the description is generated from (see
//! roster_http::operations::openapi). Whether the answers match the schemas is checked
//! by the schemathesis run in tests/schemathesis.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const PATH: &str = "/rest/roster/1.0/openapi.json";

/// Every (method, path) the description lists.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Ok(m) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
                out.push((m, path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_description_is_openapi_3_1_and_needs_no_credentials() {
    let app = TestApp::spawn().await;
    let r = app.anon().get(PATH).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1."), "{}", r.body["openapi"]);
    assert_eq!(r.body["info"]["title"], "roster");
    assert_eq!(r.body["components"]["schemas"]["Error"]["required"].as_array().unwrap().len(), 4);
    let again = app.admin().get(PATH).await;
    assert_eq!(again.text, r.text, "the same document for every caller");
}

#[tokio::test]
async fn the_description_lists_every_dialect() {
    let app = TestApp::spawn().await;
    let doc = app.anon().get(PATH).await.body;
    let listed: HashSet<(Method, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let expected = [
        // Cloud v1.
        (Method::GET, "/wiki/rest/api/user"),
        (Method::GET, "/wiki/rest/api/user/memberof"),
        (Method::GET, "/wiki/rest/api/group/member"),
        (Method::POST, "/wiki/rest/api/group/user"),
        (Method::DELETE, "/wiki/rest/api/group/userByGroupId"),
        (Method::GET, "/wiki/rest/api/search/user"),
        (Method::GET, "/wiki/rest/api/audit"),
        // Data Center core REST, at the root and under /confluence.
        (Method::GET, "/rest/api/group/{group}/member"),
        (Method::PUT, "/rest/api/user/{username}/group/{group}"),
        (Method::POST, "/rest/api/admin/user"),
        (Method::GET, "/confluence/rest/api/user/list"),
        // Extender, both places too (the wildcard segment is a plain parameter).
        (Method::GET, "/rest/extender/1.0/group/getUsers/{group}"),
        (Method::POST, "/rest/extender/1.0/group/addUsers/{group}"),
        (Method::PUT, "/rest/extender/1.0/user/add"),
        (Method::POST, "/confluence/rest/extender/1.0/user/deactivate/{user}"),
        // roster's own.
        (Method::GET, "/healthz"),
        (Method::GET, "/metrics"),
        (Method::POST, "/rest/roster/1.0/snapshots/{id}/restore"),
        (Method::GET, PATH),
    ];
    for (m, p) in expected {
        assert!(listed.contains(&(m.clone(), p.to_string())), "{m} {p} is not described");
    }
    assert!(!listed.iter().any(|(_, p)| p.starts_with("/console")), "the console is a web page, not API");
}

#[tokio::test]
async fn every_operation_has_a_unique_id_and_answers_errors_in_the_one_shape() {
    let app = TestApp::spawn().await;
    let doc = app.anon().get(PATH).await.body;
    let mut ids = HashSet::new();
    for (m, p, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{m} {p} has no operationId"));
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{m} {p} has no tag");
        // Cloud v2 has an error envelope of its own (dialects/v2/errors.rs).
        let shape = if p.starts_with("/wiki/api/v2/") { "V2Error" } else { "Error" };
        assert_eq!(op["responses"]["default"]["$ref"], format!("#/components/responses/{shape}"), "{m} {p}");
        let ok = op["responses"].as_object().unwrap().keys().filter(|k| k.starts_with('2')).count();
        assert_eq!(ok, 1, "{m} {p} describes one success status");
        for param in op["parameters"].as_array().into_iter().flatten() {
            if param["in"] == "path" {
                let name = param["name"].as_str().unwrap();
                assert!(p.contains(&format!("{{{name}}}")), "{m} {p}: path parameter {name} is not in the path");
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    for r in text.split("\"#/components/schemas/").skip(1) {
        let name = &r[..r.find('"').unwrap()];
        assert!(schemas.contains_key(name), "schema {name} is referenced but not defined");
    }
}

/// A value for a path parameter: an existing name where it matters little.
fn filled(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').unwrap() + i;
        out.push_str(if &rest[i + 1..j] == "id" { "12345" } else { "no-such-name" });
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_described_operation_is_routed_to_a_handler() {
    let app = TestApp::spawn().await;
    let doc = app.anon().get(PATH).await.body;
    let ops = operations(&doc);
    assert!(ops.len() > 90, "{} operations", ops.len());
    for (m, p, op) in ops {
        let url = filled(&p);
        let body = op.get("requestBody").map(|_| json!({}));
        let r = app.admin().send(m.clone(), &url, body.as_ref()).await;
        // The router's own answers for an unknown path or method: the
        // handler was never reached.
        assert_ne!(r.status, 405, "{m} {p} ({url}): {}", r.text);
        assert!(
            !(r.status == 404 && r.body["message"] == "No resource at this path"),
            "{m} {p} ({url}) is described but not routed"
        );
        assert!(r.status.as_u16() < 500, "{m} {p} ({url}): {}", r.text);
    }
}
