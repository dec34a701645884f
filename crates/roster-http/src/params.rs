//! Query-string parsing the way Confluence clients send it: `+` is a
//! space, values are percent-decoded and must be UTF-8, multi-value
//! parameters arrive repeated (`a=1&a=2`) or comma-joined (`a=1,2`), and
//! unknown parameters are ignored.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use percent_encoding::percent_decode;
use roster_core::page::Page;
use roster_core::{Error, Result};

use crate::error::ApiError;

/// Parsed query parameters, in order.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

fn decode(raw: &str, what: &str) -> Result<String> {
    let plus = raw.replace('+', " ");
    percent_decode(plus.as_bytes())
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::invalid("query", format!("parameter {what} is not valid UTF-8")))
}

impl Params {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Result<Self> {
        let mut pairs = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = decode(k, "name")?;
            let value = decode(v, &key)?;
            pairs.push((key, value));
        }
        Ok(Params { pairs })
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name`, or a 400 naming it.
    pub fn required(&self, name: &'static str) -> Result<&str> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::invalid(name, "is required")),
        }
    }

    /// Every value of `name`, repeated or comma-joined, empty ones dropped.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether `name` was given at all.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// A non-negative integer parameter, `default` when absent.
    pub fn count(&self, name: &'static str, default: usize) -> Result<usize> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| Error::invalid(name, "must be a non-negative integer")),
        }
    }

    /// A boolean parameter (`true`/`false`, any case), false when absent.
    pub fn flag(&self, name: &'static str) -> Result<bool> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(Error::invalid(name, "must be true or false")),
        }
    }

    /// `start`/`limit` with Confluence's defaults, the limit clamped to `max`.
    pub fn page(&self, default_limit: usize, max: usize) -> Result<Page> {
        Ok(Page::clamped(self.count("start", 0)?, self.count("limit", default_limit)?, max))
    }

    /// The query string again, with `start` and `limit` set to `page`.
    pub fn with_page(&self, start: usize, limit: usize) -> String {
        let mut out = form_encode(self.pairs.iter().filter(|(k, _)| k != "start" && k != "limit"));
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&format!("start={start}&limit={limit}"));
        out
    }
}

fn form_encode<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or(""))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_values_arrive_repeated_comma_joined_or_encoded() {
        let p = Params::parse("accountId=a&accountId=b,c&accountId=d%2Ce&x=1").unwrap();
        assert_eq!(p.all("accountId"), vec!["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn plus_is_a_space_and_percent_escapes_decode() {
        let p = Params::parse("name=team+a%2Fb%2B%25").unwrap();
        assert_eq!(p.get("name"), Some("team a/b+%"));
    }

    #[test]
    fn invalid_utf8_and_bad_numbers_are_rejected() {
        assert!(Params::parse("name=%ff").is_err());
        assert!(Params::parse("start=-1").unwrap().count("start", 0).is_err());
        assert_eq!(Params::parse("limit=500").unwrap().page(200, 200).unwrap().limit, 200);
    }
}
