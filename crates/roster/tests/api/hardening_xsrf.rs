//! The XSRF rule, as a table over every mutating route of every dialect
//! × body type {JSON, form, multipart, text/plain, none} × {with, without
//! `X-Atlassian-Token: no-check`} × Origin {none, foreign, ours}: 403
//! `XSRF check failed` exactly where the rule says, never elsewhere. A
//! second test reads the router's OpenAPI description, so a mutating route
//! added later without a row here fails the suite.

use std::collections::BTreeSet;

use reqwest::Method;

use crate::helpers::TestApp;

/// (method, route pattern as written in the router, a concrete path).
const ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/wiki/rest/api/group", "/wiki/rest/api/group"),
    ("DELETE", "/wiki/rest/api/group", "/wiki/rest/api/group?name=nope"),
    ("DELETE", "/wiki/rest/api/group/by-id", "/wiki/rest/api/group/by-id?id=nope"),
    ("POST", "/wiki/rest/api/group/user", "/wiki/rest/api/group/user?name=nope"),
    ("DELETE", "/wiki/rest/api/group/user", "/wiki/rest/api/group/user?name=nope&accountId=x"),
    ("POST", "/wiki/rest/api/group/userByGroupId", "/wiki/rest/api/group/userByGroupId?groupId=nope"),
    ("DELETE", "/wiki/rest/api/group/userByGroupId", "/wiki/rest/api/group/userByGroupId?groupId=nope&accountId=x"),
    ("POST", "/wiki/api/v2/users-bulk", "/wiki/api/v2/users-bulk"),
    ("POST", "/wiki/api/v2/user/access/check-access-by-email", "/wiki/api/v2/user/access/check-access-by-email"),
    ("POST", "/wiki/api/v2/user/access/invite-by-email", "/wiki/api/v2/user/access/invite-by-email"),
    ("POST", "/rest/extender/1.0/group/addGroups", "/rest/extender/1.0/group/addGroups"),
    ("POST", "/rest/extender/1.0/group/removeGroups", "/rest/extender/1.0/group/removeGroups"),
    ("POST", "/rest/extender/1.0/group/addUsers/{*group}", "/rest/extender/1.0/group/addUsers/nope"),
    ("POST", "/rest/extender/1.0/group/removeUsers/{*group}", "/rest/extender/1.0/group/removeUsers/nope"),
    ("POST", "/rest/extender/1.0/user/add", "/rest/extender/1.0/user/add"),
    ("PUT", "/rest/extender/1.0/user/add", "/rest/extender/1.0/user/add"),
    ("POST", "/rest/extender/1.0/user/activate/{user}", "/rest/extender/1.0/user/activate/nope"),
    ("POST", "/rest/extender/1.0/user/deactivate/{user}", "/rest/extender/1.0/user/deactivate/nope"),
    ("POST", "/rest/api/user/current/password", "/rest/api/user/current/password"),
    ("PUT", "/rest/api/user/{username}/group/{group}", "/rest/api/user/nope/group/nope"),
    ("DELETE", "/rest/api/user/{username}/group/{group}", "/rest/api/user/nope/group/nope"),
    ("POST", "/rest/api/group/{group}/member", "/rest/api/group/nope/member"),
    ("DELETE", "/rest/api/group/{group}/member/{username}", "/rest/api/group/nope/member/nope"),
    ("POST", "/rest/api/admin/group", "/rest/api/admin/group"),
    ("DELETE", "/rest/api/admin/group/{group}", "/rest/api/admin/group/nope"),
    ("POST", "/rest/api/admin/user", "/rest/api/admin/user"),
    ("DELETE", "/rest/api/admin/user/{username}", "/rest/api/admin/user/nope"),
    ("PUT", "/rest/api/admin/user/{username}", "/rest/api/admin/user/nope"),
    ("PUT", "/rest/api/admin/user/{username}/disable", "/rest/api/admin/user/nope/disable"),
    ("PUT", "/rest/api/admin/user/{username}/enable", "/rest/api/admin/user/nope/enable"),
    ("POST", "/rest/api/admin/user/{username}/password", "/rest/api/admin/user/nope/password"),
    ("POST", "/rest/roster/1.0/snapshots", "/rest/roster/1.0/snapshots"),
    ("POST", "/rest/roster/1.0/snapshots/{id}/restore", "/rest/roster/1.0/snapshots/nope/restore"),
    ("DELETE", "/rest/roster/1.0/snapshots/{id}", "/rest/roster/1.0/snapshots/nope"),
    ("POST", "/rest/roster/1.0/snapshots/file", "/rest/roster/1.0/snapshots/file?restore=false&name=xsrf"),
    ("POST", "/rest/roster/1.0/reset", "/rest/roster/1.0/reset"),
    ("POST", "/rest/roster/1.0/requests/count", "/rest/roster/1.0/requests/count"),
    ("DELETE", "/rest/roster/1.0/requests", "/rest/roster/1.0/requests"),
    ("PUT", "/rest/roster/1.0/requests/settings", "/rest/roster/1.0/requests/settings"),
    ("POST", "/rest/roster/1.0/faults", "/rest/roster/1.0/faults"),
    ("DELETE", "/rest/roster/1.0/faults", "/rest/roster/1.0/faults"),
    ("DELETE", "/rest/roster/1.0/faults/{id}", "/rest/roster/1.0/faults/nope"),
    ("POST", "/rest/roster/1.0/users/{accountId}/tokens", "/rest/roster/1.0/users/nope/tokens"),
    ("DELETE", "/rest/roster/1.0/users/{accountId}/tokens", "/rest/roster/1.0/users/nope/tokens"),
    ("PATCH", "(any path)", "/wiki/rest/api/group"),
];

const TYPES: &[(Option<&str>, bool)] = &[
    (Some("application/json"), false),
    (Some("application/x-www-form-urlencoded"), true),
    (Some("multipart/form-data; boundary=x"), true),
    (Some("text/plain;charset=UTF-8"), true),
    (None, false),
];

#[tokio::test]
async fn forgeable_bodies_and_foreign_origins_are_refused_unless_no_check_is_sent() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let ours = app.url.clone();
    let mut cells = 0;
    for (method, _, path) in ROUTES {
        for prefix in ["", "/confluence"] {
            if prefix == "/confluence" && path.starts_with("/wiki") {
                continue;
            }
            let path = format!("{prefix}{path}");
            for (ctype, forgeable) in TYPES {
                for token in [false, true] {
                    for origin in [None, Some("https://evil.example"), Some(ours.as_str())] {
                        let mut headers: Vec<(&str, &str)> = Vec::new();
                        if let Some(t) = ctype {
                            headers.push(("Content-Type", t));
                        }
                        if token {
                            headers.push(("X-Atlassian-Token", "no-check"));
                        }
                        if let Some(o) = origin {
                            headers.push(("Origin", o));
                        }
                        let body = if ctype.is_some() { b"{}".to_vec() } else { Vec::new() };
                        let m = Method::from_bytes(method.as_bytes()).unwrap();
                        let r = admin.raw(m, &path, &headers, body).await;
                        let foreign = origin == Some("https://evil.example");
                        let refuse = !token && (*forgeable || foreign);
                        let refused = r.status == 403 && r.body["message"] == "XSRF check failed";
                        assert_eq!(
                            refused, refuse,
                            "{method} {path} type {ctype:?} token {token} origin {origin:?}: {} {}",
                            r.status, r.text
                        );
                        if refused {
                            crate::helpers::assert_error(&r, 403);
                        }
                        cells += 1;
                    }
                }
            }
        }
    }
    assert!(cells > 1000, "{cells} cells");
}

#[tokio::test]
async fn safe_methods_are_never_checked() {
    let app = TestApp::spawn().await;
    let headers = [("Content-Type", "text/plain"), ("Origin", "https://evil.example")];
    let r = app.admin().raw(Method::GET, "/wiki/rest/api/group", &headers, Vec::new()).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Every mutating operation the router serves, from the OpenAPI description
/// it is built together with (roster_http::operations::openapi), wildcards written
/// `{name}`. The copies under `/confluence` run the same handlers as their
/// root twins, which the table covers.
fn mutating_routes_in_the_router() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_slice(roster_http::operations::openapi::document()).unwrap();
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["post", "put", "delete", "patch"] {
            if item.get(m).is_some() && !path.starts_with("/confluence/") {
                found.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[test]
fn the_table_covers_every_mutating_route_in_the_router() {
    let table: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.replace("{*", "{"))).collect();
    let router = mutating_routes_in_the_router();
    assert!(router.len() >= 7, "found only {router:?}");
    let missing: Vec<_> = router.difference(&table).collect();
    assert!(missing.is_empty(), "mutating routes without an XSRF row: {missing:?}");
}
