//! Path decoding end to end: the fuzzed bytes become the path (and query)
//! of a GET through the whole router, as the admin, under each dialect's
//! prefix. No 5xx, no panic, errors in the JSON shape.
#![no_main]

use axum::body::Body;
use libfuzzer_sys::fuzz_target;

const PREFIXES: &[&str] =
    &["/wiki/rest/api/group/", "/rest/api/group/", "/rest/extender/1.0/group/getUsers/", "/wiki/rest/api/"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(tail) = std::str::from_utf8(rest) else { return };
    let uri = format!("{}{}", PREFIXES[first as usize % PREFIXES.len()], tail);
    let Ok(req) = roster_fuzz::admin("GET", &uri).body(Body::empty()) else { return };
    let _ = roster_http::middleware::hygiene::check_path(tail);
    roster_fuzz::check(req);
});
