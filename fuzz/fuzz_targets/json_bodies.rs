//! JSON request bodies: the fuzzed bytes are POSTed (as the admin, with a
//! JSON content type) to every route that reads a body, chosen by the first
//! byte. No 5xx, no panic, errors in the JSON shape.
#![no_main]

use axum::body::Body;
use libfuzzer_sys::fuzz_target;

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/wiki/rest/api/group"),
    ("POST", "/wiki/rest/api/group/user?name=fuzzers"),
    ("POST", "/rest/extender/1.0/group/addGroups"),
    ("POST", "/rest/extender/1.0/group/removeGroups"),
    ("POST", "/rest/extender/1.0/group/addUsers/fuzzers"),
    ("POST", "/rest/extender/1.0/group/removeUsers/fuzzers"),
    ("POST", "/rest/extender/1.0/user/add"),
    ("POST", "/rest/api/admin/group"),
    ("POST", "/rest/api/admin/user"),
    ("POST", "/rest/api/group/fuzzers/member"),
    ("POST", "/rest/api/user/current/password"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let (method, uri) = ROUTES[first as usize % ROUTES.len()];
    let req = roster_fuzz::admin(method, uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap();
    roster_fuzz::check(req);
});
