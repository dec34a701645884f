//! `Here`: one extractor for what every Cloud handler needs to know about
//! its request: the path below `/wiki` (for `_links`) and the parsed query.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use roster_core::Error;

use crate::error::ApiError;
use crate::params::Params;

/// The request's path below `/wiki` and its query parameters.
pub struct Here {
    pub path: String,
    pub params: Params,
}

impl<S: Send + Sync> FromRequestParts<S> for Here {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Cloud routes are not nested, so the URI is the one the client sent.
        let uri = &parts.uri;
        let path = uri.path();
        let path = path.strip_prefix("/wiki").unwrap_or(path).to_string();
        Ok(Here { path, params: Params::parse(uri.query().unwrap_or(""))? })
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
