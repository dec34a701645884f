//! The `Caller` extractor: turns the Authorization header into an
//! [`Actor`]. Missing header: anonymous. Basic `login:secret` (login is an
//! e-mail or username, secret a token or password) or Bearer `token`.
//! Anything unparseable or wrong: 401 with `WWW-Authenticate`.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use roster_core::directory::Credentials;
use roster_core::{Actor, Error};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Actor);

/// Parses an Authorization header value (see [`Credentials::from_header`]).
pub fn parse(value: &[u8]) -> Result<Credentials, Error> {
    Credentials::from_header(value)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller(Actor::Anonymous));
        };
        let user = state.dir.authenticate_header(value.as_bytes()).await?;
        Ok(Caller(Actor::User(user)))
    }
}
