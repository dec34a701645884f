//! Shared by the fuzz targets that drive the whole router: one roster
//! router over a SQLite store in a temporary directory (on /dev/shm when
//! it exists, so commits cost no disk flush), with a known admin token,
//! and a helper that sends one request through it and checks the answer:
//! never a 5xx, and every error body is roster's JSON error shape.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use tower::ServiceExt;

/// The admin token the fuzz router accepts.
pub const ADMIN: &str = "rst_fuzz-admin-token-0123456789abcdefghijklmn";

struct World {
    rt: tokio::runtime::Runtime,
    router: Router,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
        let dir = std::path::PathBuf::from(format!("{base}/roster-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let router = rt.block_on(async {
            let store = roster_store::SqliteStore::open(dir.join("fuzz.db")).unwrap();
            let d = roster_core::Directory::open(Arc::new(store), roster_core::Policy::default()).await.unwrap();
            d.ensure_admin(Some(ADMIN)).await.unwrap();
            d.admin(&roster_core::Actor::System).unwrap().create_group("fuzzers").await.unwrap();
            roster_http::router(roster_http::AppState::new(d, "http://fuzz.invalid", None))
        });
        World { rt, router }
    })
}

/// Sends `req` through the router and checks the answer.
pub fn check(req: Request<Body>) {
    let w = world();
    let resp = w.rt.block_on(w.router.clone().oneshot(req)).unwrap();
    let status = resp.status();
    assert!(!status.is_server_error(), "{status}");
    let bytes = w.rt.block_on(axum::body::to_bytes(resp.into_body(), usize::MAX)).unwrap();
    if status.as_u16() >= 400 {
        let text = std::str::from_utf8(&bytes).expect("error body is UTF-8");
        assert!(text.starts_with("{\"statusCode\":") || text.contains("\"statusCode\""), "{status} {text}");
    }
}

/// A request builder with the admin's Bearer token.
pub fn admin(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {ADMIN}"))
}
