//! Input hygiene for every dialect, before routing: the percent-decoded
//! path must be UTF-8 without control characters, and so must every query
//! name and value (tab, CR and LF excepted, since search text may hold
//! them). Anything else is a 400 naming `path` or `query`, so no handler
//! ever sees a name with `%00` or invalid UTF-8 in it.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode;
use roster_core::Error;

use crate::error::ApiError;

/// Checks a raw (still percent-encoded) path.
pub fn check_path(raw: &str) -> Result<(), Error> {
    if !raw.contains('%') {
        // A parsed URI holds only visible ASCII, so there is nothing to find.
        return Ok(());
    }
    let decoded = percent_decode(raw.as_bytes())
        .decode_utf8()
        .map_err(|_| Error::invalid("path", "is not valid percent-encoded UTF-8"))?;
    if decoded.chars().any(char::is_control) {
        return Err(Error::invalid("path", "must not contain control characters"));
    }
    Ok(())
}

/// Checks a raw query string (form encoding: `+` is a space).
pub fn check_query(raw: &str) -> Result<(), Error> {
    if !raw.contains('%') {
        return Ok(());
    }
    for part in raw.split(['&', '=']) {
        let decoded = percent_decode(part.as_bytes())
            .decode_utf8()
            .map_err(|_| Error::invalid("query", "is not valid percent-encoded UTF-8"))?;
        if decoded.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
            return Err(Error::invalid("query", "must not contain control characters"));
        }
    }
    Ok(())
}

/// The middleware.
pub async fn layer(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let checked = check_path(uri.path()).and_then(|_| check_query(uri.query().unwrap_or("")));
    match checked {
        Ok(()) => next.run(req).await,
        Err(e) => ApiError(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_and_bad_utf8_are_refused() {
        assert!(check_path("/wiki/rest/api/group/a%2Fb%20c%C3%A9").is_ok());
        assert!(check_path("/wiki/rest/api/group/a%00b").is_err());
        assert!(check_path("/wiki/rest/api/group/%ff").is_err());
        assert!(check_query("name=a+b%2Fc&x").is_ok());
        assert!(check_query("cql=a%0Ab").is_ok());
        assert!(check_query("name=%00").is_err());
        assert!(check_query("name=%7F").is_err());
        assert!(check_query("na%C3=x").is_err());
    }
}
