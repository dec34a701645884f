//! roster-http: the HTTP dialects roster speaks, over one
//! [`roster_core::Directory`].
//!
//! Owns routing, authentication headers, query and body parsing, JSON
//! rendering and the single JSON error shape. It holds no state of its own
//! beyond [`AppState`] and never talks to a store directly.

pub mod audit;
pub mod auth;
pub mod body;
pub mod cloud;
pub mod console;
pub mod dc;
pub mod error;
pub mod extender;
pub mod guard;
pub mod hygiene;
pub mod json;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod ratelimit;
pub mod snapshots;
pub mod state;
pub mod telemetry;
pub mod xsrf;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use error::ApiError;
pub use state::AppState;

/// Every route roster serves, all dialects, with the JSON 404 fallback.
/// The API routes come from [`openapi::api`], the same value the OpenAPI
/// description is generated from; only the console's static files are
/// left out of the description.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(Router::from(openapi::api()))
        .merge(console::routes())
        .fallback(error::unknown_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        // Request id and context, rate limit, hygiene, XSRF, panic guard
        // and metrics, as one layer (see guard.rs).
        .layer(guard::GuardLayer(state.clone()))
        .with_state(state)
}

/// Serves `router` on an already bound listener until `shutdown` resolves.
/// Each connection's peer address reaches handlers as
/// `ConnectInfo<SocketAddr>` (the audit log and throttles key on it).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
