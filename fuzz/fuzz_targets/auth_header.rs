//! The Authorization header parser: any bytes, never a panic; what parses
//! as Basic has a non-empty login and secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_core::directory::Credentials;

fuzz_target!(|data: &[u8]| {
    if let Ok(Credentials::Basic { login, secret }) = roster_http::wire::auth::parse(data) {
        assert!(!login.is_empty() && !secret.is_empty());
    }
});
