//! `Prefetched`: an extractor that starts fetching the index slot of the
//! user a request names by `accountId`, placed before the caller's
//! sign-in so that the miss on a large directory's index overlaps with it.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::state::AppState;
use crate::wire::params::Params;

/// The `accountId` slot is on its way into the cache.
pub struct Prefetched;

impl FromRequestParts<AppState> for Prefetched {
    type Rejection = Infallible;

    /// Reads the parameters the guard parsed without taking them; without
    /// a guard (a router called on its own) there is no hint, which is fine.
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Infallible> {
        if let Some(id) = Params::peek(parts).and_then(|p| p.get("accountId")).filter(|id| !id.is_empty()) {
            s.dir.prefetch_account(id);
        }
        Ok(Prefetched)
    }
}
