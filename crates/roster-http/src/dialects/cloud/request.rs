//! `CloudRequest`: one extractor for what every Cloud handler needs to know about
//! its request: the path below `/wiki` (for `_links`) and the parsed query.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Uri;

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
