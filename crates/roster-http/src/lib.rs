//! roster-http: the HTTP dialects roster speaks, over one
//! [`roster_core::Directory`].
//!
//! Owns routing, authentication headers, query and body parsing, JSON
//! rendering and the single JSON error shape. It holds no state of its own
//! beyond [`AppState`] and never talks to a store directly.

pub mod auth;
pub mod body;
pub mod cloud;
pub mod console;
pub mod error;
pub mod json;
pub mod params;
pub mod state;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

pub use error::ApiError;
pub use state::AppState;

/// Every route roster serves, all dialects, with the JSON 404 fallback.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/wiki/rest/api", cloud::routes())
        .merge(console::routes())
        .fallback(error::unknown_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}

/// Serves `router` on an already bound listener until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
