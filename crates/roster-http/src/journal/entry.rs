//! One journal entry: what the guard knows once a request is answered,
//! kept raw (a URI, a template, an internal user id) and turned into the
//! JSON the API shows only when someone reads the journal.

use std::sync::Arc;

use axum::http::{Method, Uri};

use bytes::Bytes;
use roster_core::audit::AuditRecord;
use roster_core::directory::Reader;
use roster_core::UserId;
use serde_json::{json, Map, Value};
use smallvec::SmallVec;

use crate::wire::params::Params;

/// The fault injected into a request (see `faults.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// The rule's number.
    pub rule: u64,
    /// `status`, `delay`, `drop` or `applyThenLose`.
    pub kind: &'static str,
}

/// One answered request.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The journal's number for it, from 1.
    pub seq: u64,
    pub at_ms: i64,
    pub method: Method,
    /// Path and query as sent, copied: a shared `Uri` would keep the
    /// connection's whole read buffer alive for as long as the entry. Kept
    /// inside the entry up to 112 bytes, so a full ring that drops its
    /// oldest entry frees nothing for a typical request.
    target: SmallVec<[u8; 112]>,
    /// The route template it matched (`unmatched` when none did).
    pub route: Arc<str>,
    /// roster's request id (the number behind `X-Request-Id`).
    pub request_id: u64,
    /// The account it signed in as.
    pub user: Option<UserId>,
    /// The start of its body, secrets redacted (see `redact.rs`).
    pub body: Option<Bytes>,
    /// The body's whole length, when it had one.
    pub body_len: usize,
    /// The status the client was sent; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The status the handler answered, when a fault answered otherwise.
    pub handler_status: Option<u16>,
    pub micros: u64,
    pub fault: Option<Fault>,
    /// The audit records of the changes it made.
    pub changes: Vec<AuditRecord>,
}

impl Entry {
    /// An entry for a request not yet answered.
    pub fn new(method: Method, uri: &Uri, route: Arc<str>) -> Self {
        let target = SmallVec::from_slice(uri.path_and_query().map_or_else(|| uri.path(), |pq| pq.as_str()).as_bytes());
        Entry {
            seq: 0,
            at_ms: roster_core::types::now_ms(),
            method,
            target,
            route,
            request_id: 0,
            user: None,
            body: None,
            body_len: 0,
            status: None,
            handler_status: None,
            micros: 0,
            fault: None,
            changes: Vec::new(),
        }
    }

    fn target(&self) -> &str {
        // It was a `&str` when copied.
        std::str::from_utf8(&self.target).unwrap_or_default()
    }

    /// The path as sent.
    pub fn path(&self) -> &str {
        let t = self.target();
        t.split_once('?').map_or(t, |(p, _)| p)
    }

    /// The query as sent, if any.
    pub fn query(&self) -> Option<&str> {
        self.target().split_once('?').map(|(_, q)| q)
    }

    /// The API the request spoke (see [`dialect_of`]).
    pub fn dialect(&self) -> &'static str {
        dialect_of(if &*self.route == "unmatched" { self.path() } else { &self.route })
    }

    /// The body as text (lossy), when it had one.
    pub fn body_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.body.as_ref().map(|b| String::from_utf8_lossy(b))
    }

    /// The entry as the API shows it; `reader` names the caller.
    pub fn to_json(&self, reader: &Reader<'_>) -> Value {
        let caller = self.user.and_then(|id| reader.user(id)).map(|u| {
            json!({"accountId": &*u.user.account_id, "username": u.user.username.as_deref(),
                   "email": &*u.user.email, "displayName": &*u.user.display_name})
        });
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|r| {
                json!({"action": r.action, "targetKind": r.target_kind, "target": r.target,
                       "targetName": r.target_name, "object": r.object})
            })
            .collect();
        json!({
            "id": self.seq,
            "requestId": roster_core::context::RequestId(self.request_id).to_string(),
            "time": time_text(self.at_ms),
            "method": self.method.as_str(),
            "path": self.path(),
            "query": query_json(self.query()),
            "route": &*self.route,
            "dialect": self.dialect(),
            "caller": caller,
            "body": self.body_text(),
            "bodyTruncated": self.body_len > self.body.as_ref().map_or(0, Bytes::len),
            "status": self.status,
            "handlerStatus": self.handler_status,
            "durationMs": self.micros as f64 / 1000.0,
            "fault": self.fault.map(|f| json!({"rule": f.rule, "kind": f.kind})),
            "changes": changes,
        })
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC.
pub fn time_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// The decoded query: each name once, a value or (given more than once) a list.
fn query_json(query: Option<&str>) -> Value {
    let mut out = Map::new();
    let Some(params) = query.and_then(|q| Params::parse(q).ok()) else { return Value::Object(out) };
    for (k, v) in params.iter() {
        match out.get_mut(k) {
            None => {
                out.insert(k.to_string(), Value::String(v.to_string()));
            }
            Some(Value::Array(a)) => a.push(Value::String(v.to_string())),
            Some(first) => *first = Value::Array(vec![first.take(), Value::String(v.to_string())]),
        }
    }
    Value::Object(out)
}

/// The API a route template (or, for an unmatched request, a path) belongs
/// to: `cloud`, `dc`, `extender`, `roster` or `other`.
pub fn dialect_of(template: &str) -> &'static str {
    let t = template.strip_prefix("/confluence").unwrap_or(template);
    if template.starts_with("/wiki/") {
        "cloud"
    } else if t.starts_with("/rest/extender/") {
        "extender"
    } else if t.starts_with("/rest/api/") || t == "/rest/api" {
        "dc"
    } else if t.starts_with("/rest/roster/") {
        "roster"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_paths_name_their_dialect() {
        for (t, d) in [
            ("/wiki/rest/api/user/memberof", "cloud"),
            ("/rest/api/group/{name}", "dc"),
            ("/confluence/rest/api/group", "dc"),
            ("/rest/extender/1.0/group/getGroups", "extender"),
            ("/confluence/rest/extender/1.0/x", "extender"),
            ("/rest/roster/1.0/snapshots", "roster"),
            ("/healthz", "other"),
        ] {
            assert_eq!(dialect_of(t), d, "{t}");
        }
    }

    #[test]
    fn a_query_is_decoded_and_repeated_names_become_lists() {
        let q = query_json(Some("accountId=a%20b&expand=x&expand=y"));
        assert_eq!(q, json!({"accountId": "a b", "expand": ["x", "y"]}));
    }
}
