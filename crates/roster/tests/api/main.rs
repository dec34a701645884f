//! The one integration test binary: a real roster server on 127.0.0.1:0
//! over a fresh SQLite file per test, driven over HTTP. Modules follow the
//! URL paths.

mod helpers;
