//! `Prefetched`: an extractor that starts fetching the index slot of the
//! user a request names by `accountId`, placed before the caller's
//! sign-in so that the miss on a large directory's index overlaps with it.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::state::AppState;

const NAME: &str = "accountId=";

/// The `accountId` slot is on its way into the cache.
pub struct Prefetched;

impl FromRequestParts<AppState> for Prefetched {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Infallible> {
        if let Some(id) = parts.uri.query().and_then(plain_account_id) {
            s.dir.prefetch_account(id);
        }
        Ok(Prefetched)
    }
}

/// The first `accountId` value of `query`, when it needs no decoding (an
/// escaped or comma-joined one is left to the real lookup: a prefetch is
/// only a hint).
fn plain_account_id(query: &str) -> Option<&str> {
    let start = match query.strip_prefix(NAME) {
        Some(_) => NAME.len(),
        None => memchr::memmem::find(query.as_bytes(), b"&accountId=")? + 1 + NAME.len(),
    };
    let rest = &query[start..];
    let value = &rest[..memchr::memchr(b'&', rest.as_bytes()).unwrap_or(rest.len())];
    let plain = !value.is_empty() && memchr::memchr3(b'%', b'+', b',', value.as_bytes()).is_none();
    plain.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::plain_account_id;

    #[test]
    fn the_first_plain_account_id_is_found_and_encoded_ones_are_skipped() {
        assert_eq!(plain_account_id("accountId=5b10ac8d&start=0"), Some("5b10ac8d"));
        assert_eq!(plain_account_id("start=0&accountId=712020:ab-cd&limit=2"), Some("712020:ab-cd"));
        assert_eq!(plain_account_id("xaccountId=1&accountId=2"), Some("2"));
        assert_eq!(plain_account_id("accountId=712020%3Aab"), None);
        assert_eq!(plain_account_id("accountId=a,b"), None);
        assert_eq!(plain_account_id("accountId=&x=1"), None);
        assert_eq!(plain_account_id("username=ada"), None);
    }
}
