//! GET handlers the guard calls itself, without the router.
//!
//! axum's router costs a request more than a `memberof` handler's own
//! work: it matches the path again (the guard already has, for its
//! metrics), files the path parameters in the request's extensions (a map
//! allocated per request, even when there are none), clones the route's
//! boxed service and boxes its future once more. A route whose template has
//! no parameters needs none of that: the guard finds it in its own table
//! (`routes.rs`) and calls the handler, whose extractors (state, caller,
//! query) run exactly as under the router. Only GET goes this way; HEAD,
//! the other methods and the 405 stay with the router.

use std::future::Future;
use std::pin::Pin;

use axum::extract::Request;
use axum::handler::Handler;
use axum::response::Response;

use crate::state::AppState;

/// A handler's answer in the making (what axum's function handlers return).
pub type Answer = Pin<Box<dyn Future<Output = Response> + Send>>;

/// A handler with its extractors, callable without the router.
pub type Direct = Box<dyn Fn(Request, AppState) -> Answer + Send + Sync>;

/// `handler` (an `async fn` handler, as given to the router) as a [`Direct`].
pub fn direct<T, H>(handler: H) -> Direct
where
    H: Handler<T, AppState, Future = Answer> + Sync,
    T: 'static,
{
    Box::new(move |req, state| handler.clone().call(req, state))
}
