//! The `Caller` extractor: turns the Authorization header into an
//! [`Actor`]. Missing header: anonymous. Basic `login:secret` (login is an
//! e-mail or username, secret a token or password) or Bearer `token`.
//! Anything unparseable or wrong: 401 with `WWW-Authenticate`.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use base64::Engine;
use roster_core::directory::Credentials;
use roster_core::{Actor, Error};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Actor);

/// Parses an Authorization header value.
pub fn parse(value: &[u8]) -> Result<Credentials, Error> {
    let value = std::str::from_utf8(value).map_err(|_| Error::Unauthenticated)?;
    let (scheme, rest) = value.trim().split_once(' ').ok_or(Error::Unauthenticated)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| Error::Unauthenticated)?;
        let text = String::from_utf8(decoded).map_err(|_| Error::Unauthenticated)?;
        let (login, secret) = text.split_once(':').ok_or(Error::Unauthenticated)?;
        if login.is_empty() || secret.is_empty() {
            return Err(Error::Unauthenticated);
        }
        Ok(Credentials::Basic { login: login.to_string(), secret: secret.to_string() })
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        Ok(Credentials::Bearer(rest.to_string()))
    } else {
        Err(Error::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller(Actor::Anonymous));
        };
        let creds = parse(value.as_bytes())?;
        let user = state.dir.authenticate(&creds).await?;
        Ok(Caller(Actor::User(user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_and_bearer_headers_parse_and_junk_is_refused() {
        let b = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("a@b.c:tok:en"));
        match parse(b.as_bytes()).unwrap() {
            Credentials::Basic { login, secret } => assert_eq!((login.as_str(), secret.as_str()), ("a@b.c", "tok:en")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(b"Bearer abc").unwrap(), Credentials::Bearer(t) if t == "abc"));
        for junk in [&b"Basic"[..], b"Basic !!!", b"Digest x", b"Bearer ", b"\xff\xfe"] {
            assert!(parse(junk).is_err());
        }
    }
}
