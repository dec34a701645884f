//! What a v2 handler takes from its request, with refusals in the v2
//! envelope: the caller ([`V2Caller`], the same sign-in and rate limit as
//! every dialect's `Caller`) and the JSON body ([`V2Body`], read under the
//! usual cap and parsed only once the caller has passed the door, so a
//! refused caller hears 401/404 first), with the item limits of
//! Atlassian's description.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use roster_core::{Actor, Error, Result};
use serde::de::DeserializeOwned;

use super::errors::{rejected, V2Error};
use crate::state::AppState;
use crate::wire::auth::{sign_in, Refusal};
use crate::wire::body::{parse, read};

/// The authenticated caller of a v2 request.
pub struct V2Caller(pub Actor);

impl FromRequestParts<AppState> for V2Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> std::result::Result<Self, Response> {
        match sign_in(parts, state).await {
            Ok(actor) => Ok(V2Caller(actor)),
            Err(Refusal::SignIn(e)) => Err(V2Error(e).into_response()),
            Err(Refusal::Limited(r)) => Err(r),
        }
    }
}

/// The raw request body, under the usual cap.
pub struct V2Body(axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for V2Body {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> std::result::Result<Self, Response> {
        read(req).await.map(V2Body).map_err(rejected)
    }
}

impl V2Body {
    /// The body as `T`; 400 when it is missing or malformed.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        parse(&self.0)
    }
}

/// `items` (the body field `field`) holds 1 to `max` entries, as the
/// description's `minItems`/`maxItems` say; 400 otherwise.
pub fn within<T>(field: &'static str, items: &[T], max: usize) -> Result<()> {
    match items.len() {
        0 => Err(Error::invalid(field, "must name at least one")),
        n if n > max => Err(Error::invalid(field, format!("names {n}; at most {max} are allowed per request"))),
        _ => Ok(()),
    }
}
