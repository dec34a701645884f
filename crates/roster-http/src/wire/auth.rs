//! The `Caller` extractor: turns the Authorization header into an
//! [`Actor`]. Missing header: anonymous. Basic `login:secret` (login is an
//! e-mail or username, secret a token or password) or Bearer `token`.
//! Anything unparseable or wrong: 401 with `WWW-Authenticate`.
//!
//! It is also where a request with credentials pays its rate limit (see
//! `ratelimit.rs`): once the sign-in is decided, to the account it signed
//! in as, or to its source address when it failed (the guard charges the
//! requests without credentials).

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Response};
use roster_core::directory::Credentials;
use roster_core::{Actor, Error};

use crate::state::AppState;
use crate::wire::error::ApiError;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Actor);

/// Parses an Authorization header value (see [`Credentials::from_header`]).
pub fn parse(value: &[u8]) -> Result<Credentials, Error> {
    Credentials::from_header(value)
}

/// Why a request's credentials were refused.
pub enum Refusal {
    /// The sign-in failed (401, or a throttle's 429/503): the dialect
    /// renders it in its own error shape.
    SignIn(Error),
    /// The rate limit's 429, already rendered (`ratelimit.rs`).
    Limited(Response),
}

/// The caller of the request in `parts`: anonymous without an
/// Authorization header, else whoever the header signs in as; charges the
/// rate limit once that is decided.
pub async fn sign_in(parts: &Parts, state: &AppState) -> Result<Actor, Refusal> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(Actor::Anonymous);
    };
    let signed_in = state.dir.authenticate_header(value.as_bytes()).await;
    if let Some(limiter) = state.limiter.as_deref() {
        limiter.charge_sign_in(signed_in.as_ref().ok().copied()).map_err(|c| Refusal::Limited(limiter.refusal(&c)))?;
    }
    signed_in.map(Actor::User).map_err(Refusal::SignIn)
}

impl FromRequestParts<AppState> for Caller {
    /// The sign-in's refusal in the JSON error shape, or the rate limit's 429.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match sign_in(parts, state).await {
            Ok(actor) => Ok(Caller(actor)),
            Err(Refusal::SignIn(e)) => Err(ApiError(e).into_response()),
            Err(Refusal::Limited(r)) => Err(r),
        }
    }
}
