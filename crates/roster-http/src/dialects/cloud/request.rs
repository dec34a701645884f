//! `CloudRequest`: one extractor for what every Cloud handler needs to know about
//! its request: the path below `/wiki` (for `_links`) and the parsed query.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::Uri;
use roster_core::Error;

use crate::wire::error::ApiError;
use crate::wire::params::Params;

/// The request's path below `/wiki` and its query parameters.
pub struct CloudRequest {
    /// The URI as sent (a clone shares its bytes).
    uri: Uri,
    pub params: Params,
}

impl CloudRequest {
    /// The path below `/wiki`, e.g. `/rest/api/group/member`.
    pub fn path(&self) -> &str {
        let path = self.uri.path();
        path.strip_prefix("/wiki").unwrap_or(path)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CloudRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Cloud routes are not nested, so the URI is the one the client sent.
        let params = Params::of(parts)?;
        Ok(CloudRequest { uri: parts.uri.clone(), params })
    }
}

/// A single percent-decoded path segment (`%2F`, `+`, non-ASCII included).
pub struct Segment(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Segment(s))
            .map_err(|_| ApiError(Error::invalid("path", "is not a valid percent-encoded UTF-8 segment")))
    }
}
