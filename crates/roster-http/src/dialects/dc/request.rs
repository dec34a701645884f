//! What a DC handler needs to know about its request: the context path it
//! came in under (`""` or `/confluence`), the path below it (for `_links`),
//! the base URL for links, and the parsed query; plus path segments.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::middleware::guard::SentUri;
use crate::state::AppState;
use crate::wire::error::ApiError;
use crate::wire::params::Params;

/// The context path DC installations commonly run under; roster answers
/// both at the root and under it.
pub const CONTEXT: &str = "/confluence";

/// The request's context, path below it, link base and query.
pub struct DcRequest {
    /// `""` or [`CONTEXT`].
    pub context: &'static str,
    /// Path below the context, still percent-encoded (`/rest/api/group`).
    pub path: String,
    /// `public_url` + context: DC's `_links.base`.
    pub base: String,
    pub params: Params,
}

impl FromRequestParts<AppState> for DcRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // DC routers are nested: the URI the router left is the path below
        // the prefix, the guard keeps the one that was sent.
        let uri = parts.extensions.get::<SentUri>().map_or(&parts.uri, |s| &s.0);
        let full = uri.path();
        let (context, path) = match full.strip_prefix(CONTEXT) {
            Some(rest) if rest.starts_with('/') => (CONTEXT, rest),
            _ => ("", full),
        };
        Ok(DcRequest {
            context,
            path: path.to_string(),
            base: format!("{}{context}", state.public_url),
            params: Params::of(parts)?,
        })
    }
}
