//! Path parameters, percent-decoded, for every dialect: one
//! ([`PathParam`]) or all of a route's, in order ([`PathParams`]). A
//! segment that does not decode to UTF-8 is a 400 naming `path`.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use roster_core::Error;

use crate::wire::error::ApiError;

fn refused() -> ApiError {
    ApiError(Error::invalid("path", "is not a valid percent-encoded UTF-8 segment"))
}

/// The one path parameter of a route (a group or user name, an id). Group
/// names may contain unescaped `/` on the routes that end in a wildcard
/// (clients do not escape them).
pub struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state).await.map(|Path(s)| PathParam(s)).map_err(|_| refused())
    }
}

/// Every path parameter of a route, in order.
pub struct PathParams(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<Vec<String>>::from_request_parts(parts, state).await.map(|Path(v)| PathParams(v)).map_err(|_| refused())
    }
}

impl PathParams {
    /// The `i`th parameter ("" when the route has fewer).
    pub fn at(&self, i: usize) -> &str {
        self.0.get(i).map(String::as_str).unwrap_or("")
    }
}
