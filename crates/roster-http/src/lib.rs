//! roster-http: the HTTP dialects roster speaks, over one
//! [`roster_core::Directory`].
//!
//! Owns routing, authentication headers, query and body parsing, JSON
//! rendering and the single JSON error shape. It holds no state of its own
//! beyond [`AppState`], and reaches the directory only through its doors
//! (`Directory::reader`, `admin_reader`, `admin`): it cannot name the model
//! or the store.
//!
//! Where a change goes: `dialects/` (one module per API: routes, handlers,
//! renderers), `wire/` (parsing requests, writing answers, errors),
//! `middleware/` (what wraps every request), `operations/` (roster's own
//! endpoints and the OpenAPI description), `server/` (the accept loop),
//! `journal/` and `faults/` (the request journal and fault injection, for
//! test suites).

pub mod dialects;
pub mod faults;
pub mod journal;
pub mod middleware;
pub mod operations;
pub mod server;
pub mod state;
pub mod wire;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

pub use dialects::cloud::render::user_pieces;
pub use middleware::guard::Guarded;
pub use state::AppState;
pub use wire::error::ApiError;

/// Every route roster serves, all dialects, with the JSON 404 fallback,
/// inside the guard (request id and context, rate limit, hygiene, XSRF,
/// panic guard and metrics; see guard.rs). The API routes come from
/// [`operations::openapi::api`], the same value the OpenAPI description is
/// generated from; only the console's static files are left out of the
/// description. The Cloud reads without path parameters are answered by
/// their handlers without the router (see direct.rs).
pub fn app(state: AppState) -> Guarded {
    let (router, templates, gets) = described(state.clone());
    let direct = dialects::cloud::direct_gets();
    if let Some((t, _)) = direct.iter().find(|(t, _)| !gets.iter().any(|g| g == t)) {
        panic!("direct GET handler for {t}, which the API does not describe as a GET");
    }
    Guarded::new(router, state, templates.iter().map(String::as_str).chain(operations::console::PATHS))
        .with_direct_gets(direct)
}

/// The router alone, without the guard (and so without the direct GET
/// path): what [`app`] wraps. For tests that compare the two paths, and
/// for fuzzing the handlers.
pub fn router(state: AppState) -> Router {
    described(state).0
}

/// The router, every described path template, and those with a GET.
fn described(state: AppState) -> (Router, Vec<String>, Vec<String>) {
    let api = operations::openapi::api();
    let paths = &api.get_openapi().paths.paths;
    let templates: Vec<String> = paths.keys().cloned().collect();
    let gets: Vec<String> = paths.iter().filter(|(_, item)| item.get.is_some()).map(|(t, _)| t.clone()).collect();
    let router = Router::new()
        .merge(Router::from(api))
        .merge(operations::console::routes())
        .fallback(wire::error::unknown_route)
        .method_not_allowed_fallback(wire::error::method_not_allowed)
        .with_state(state);
    (router, templates, gets)
}

/// Serves `app` on an already bound listener until `shutdown` resolves,
/// with the default connection limits (see [`server::serve`]). Each
/// connection gets its own guard, which knows the peer address (the audit
/// log and throttles key on it).
pub async fn serve(
    listener: TcpListener,
    app: Guarded,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, app, server::Limits::default(), shutdown).await
}
