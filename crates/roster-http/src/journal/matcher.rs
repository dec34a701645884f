//! Which journal entries a search or a count means: the same fields in a
//! `GET /rest/roster/1.0/requests` query and in a
//! `POST /rest/roster/1.0/requests/count` body (WireMock's `verify`). Every
//! field given must hold; none given matches everything.

use axum::http::Method;
use roster_core::directory::Reader;
use roster_core::{Error, Result, UserId};
use serde::Deserialize;

use super::entry::Entry;
use crate::wire::params::Params;

/// A matcher as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Matcher {
    /// HTTP method, any case.
    pub method: Option<String>,
    /// Route template exactly as the OpenAPI description lists it (`/wiki/rest/api/group/user`).
    pub route: Option<String>,
    /// Path exactly.
    pub path: Option<String>,
    /// Start of the path.
    pub path_prefix: Option<String>,
    /// `cloud`, `dc`, `extender` or `other`.
    pub dialect: Option<String>,
    /// Status sent to the client (a dropped answer has none).
    pub status: Option<u16>,
    /// The signed-in caller: account id, username or e-mail.
    pub caller: Option<String>,
    /// At or after this time: RFC 3339 or milliseconds since the epoch.
    pub since: Option<String>,
    /// At or before this time: RFC 3339 or milliseconds since the epoch.
    pub until: Option<String>,
    /// Text the recorded body contains (after redaction).
    pub body_contains: Option<String>,
    /// Only requests a fault was (true) or was not (false) injected into.
    pub faulted: Option<bool>,
}

/// A matcher ready to test entries.
pub struct Compiled {
    m: Matcher,
    method: Option<Method>,
    since: Option<i64>,
    until: Option<i64>,
    /// `Some(None)`: a caller was named that does not exist.
    caller: Option<Option<UserId>>,
}

fn time(field: &'static str, v: &Option<String>) -> Result<Option<i64>> {
    let Some(v) = v.as_deref() else { return Ok(None) };
    if let Ok(ms) = v.trim().parse::<i64>() {
        return Ok(Some(ms));
    }
    chrono::DateTime::parse_from_rfc3339(v.trim())
        .map(|t| Some(t.timestamp_millis()))
        .map_err(|_| Error::invalid(field, "must be RFC 3339 (2026-01-31T12:00:00Z) or milliseconds since the epoch"))
}

impl Matcher {
    /// The matcher in a query (`limit` and unknown names are left to the caller).
    pub fn from_params(p: &Params) -> Result<Self> {
        let s = |n: &str| p.get(n).map(str::to_string);
        let status = match p.get("status") {
            None => None,
            Some(v) => Some(v.parse().map_err(|_| Error::invalid("status", "must be an HTTP status"))?),
        };
        let faulted = match p.get("faulted") {
            None => None,
            Some(_) => Some(p.flag("faulted")?),
        };
        Ok(Matcher {
            method: s("method"),
            route: s("route"),
            path: s("path"),
            path_prefix: s("pathPrefix"),
            dialect: s("dialect"),
            status,
            caller: s("caller"),
            since: s("since"),
            until: s("until"),
            body_contains: s("bodyContains"),
            faulted,
        })
    }

    /// Checks the fields and resolves the caller with `reader`.
    pub fn compile(self, reader: &Reader<'_>) -> Result<Compiled> {
        let method = match &self.method {
            None => None,
            Some(m) => Some(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| Error::invalid("method", "must be an HTTP method"))?,
            ),
        };
        let caller = self.caller.as_deref().map(|c| {
            reader
                .account_candidate(c)
                .filter(|u| &*u.user.account_id == c)
                .or_else(|| reader.user_by_username(c).ok())
                .or_else(|| reader.user_by_email(c))
                .map(|u| u.user.id)
        });
        Ok(Compiled { since: time("since", &self.since)?, until: time("until", &self.until)?, method, caller, m: self })
    }
}

impl Compiled {
    /// Whether `e` is one of the requests meant.
    pub fn matches(&self, e: &Entry) -> bool {
        let m = &self.m;
        self.method.as_ref().is_none_or(|x| *x == e.method)
            && m.route.as_deref().is_none_or(|r| r == &*e.route)
            && m.path.as_deref().is_none_or(|p| p == e.path())
            && m.path_prefix.as_deref().is_none_or(|p| e.path().starts_with(p))
            && m.dialect.as_deref().is_none_or(|d| d.eq_ignore_ascii_case(e.dialect()))
            && m.status.is_none_or(|s| e.status == Some(s))
            && self.caller.is_none_or(|c| c.is_some() && c == e.user)
            && self.since.is_none_or(|t| e.at_ms >= t)
            && self.until.is_none_or(|t| e.at_ms <= t)
            && m.body_contains.as_deref().is_none_or(|b| e.body_text().is_some_and(|t| t.contains(b)))
            && m.faulted.is_none_or(|f| f == e.fault.is_some())
    }
}
