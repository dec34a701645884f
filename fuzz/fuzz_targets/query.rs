//! Query-string decoding: Params::parse and the hygiene check on any
//! string, then every accessor a handler uses. Never a panic; whatever
//! hygiene accepts, Params accepts too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_http::wire::params::Params;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let clean = roster_http::middleware::hygiene::check_query(s).is_ok();
    match Params::parse(s) {
        Ok(p) => {
            let _ = p.all("accountId");
            let _ = p.page(200, 200);
            let _ = p.flag("shouldReturnTotalSize");
            let again = Params::parse(&p.with_page(3, 7)).expect("re-encoded query parses");
            assert_eq!(again.get("start"), Some("3"));
        }
        Err(_) => assert!(!clean, "hygiene passed what Params refused: {s:?}"),
    }
});
