//! Types that describe the request journal's and the fault rules' bodies
//! (`operations/requests.rs`, `operations/faults.rs`). They only describe:
//! the handlers write `serde_json` values, checked against these by the
//! schemathesis run and the golden bodies.

#![allow(dead_code)]

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// The signed-in caller of a recorded request.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalCaller {
    account_id: String,
    username: Option<String>,
    email: String,
    display_name: String,
}

/// A change a recorded request made, as its audit record names it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalChange {
    /// `group.create`, `member.add`, `user.deactivate`, ...
    action: String,
    target_kind: String,
    target: String,
    target_name: String,
    object: String,
}

/// The fault injected into a recorded request.
#[derive(Serialize, ToSchema)]
pub struct JournalFault {
    /// The rule's number (`GET /rest/roster/1.0/faults`).
    rule: u64,
    /// `status`, `delay`, `drop` or `applyThenLose`.
    kind: String,
}

/// One recorded request.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The journal's number for it, from 1, never reused.
    id: u64,
    /// roster's id for it (`X-Request-Id`; the audit log's `requestId`).
    request_id: String,
    /// RFC 3339, UTC.
    time: String,
    method: String,
    path: String,
    /// The decoded query: a value, or a list for a name sent more than once.
    query: serde_json::Map<String, serde_json::Value>,
    /// The route template it matched (`unmatched` when none did).
    route: String,
    /// `cloud`, `dc`, `extender` or `other`.
    dialect: String,
    /// The account it signed in as (none for anonymous or refused requests).
    caller: Option<JournalCaller>,
    /// The start of its body (at most 8 KiB), secrets redacted.
    body: Option<String>,
    body_truncated: bool,
    /// The status sent; none when the connection was dropped.
    status: Option<u16>,
    /// The status the handler answered, when a fault lost it (`applyThenLose`).
    handler_status: Option<u16>,
    duration_ms: f64,
    fault: Option<JournalFault>,
    /// The changes it made, from their audit records.
    changes: Vec<JournalChange>,
}

/// The journal's settings.
#[derive(Serialize, ToSchema)]
pub struct JournalSettings {
    enabled: bool,
    /// Entries kept at most.
    size: u64,
    /// Entries held now.
    held: u64,
}

/// New journal settings: on or off, and (optionally) its size.
#[derive(Serialize, ToSchema)]
pub struct JournalSettingsInput {
    enabled: bool,
    /// Entries kept at most (default 10,000; at most 1,000,000).
    size: Option<u64>,
}

/// `GET /rest/roster/1.0/requests`.
#[derive(Serialize, ToSchema)]
pub struct JournalPage {
    /// Newest first.
    results: Vec<JournalEntry>,
    size: u64,
    /// Entries that match, `limit` aside.
    total: u64,
    journal: JournalSettings,
}

/// `POST /rest/roster/1.0/requests/count`.
#[derive(Serialize, ToSchema)]
pub struct RequestCount {
    count: u64,
}

/// A fault rule in force.
#[derive(Serialize, ToSchema)]
pub struct FaultRule {
    id: u64,
    #[serde(flatten)]
    rule: crate::faults::RuleSpec,
    /// Firings left (with `times`).
    remaining: Option<u64>,
    /// Firings so far.
    fired: u64,
}

/// `GET /rest/roster/1.0/faults`, and the rules a `POST` added.
#[derive(Serialize, ToSchema)]
pub struct FaultList {
    results: Vec<FaultRule>,
    size: u64,
    /// Whether rules may be added (`--no-faults` switches it off).
    enabled: bool,
}

/// Filters of `GET /rest/roster/1.0/requests` (the fields of the count's matcher).
#[derive(Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct RequestFilters {
    /// HTTP method, any case.
    method: Option<String>,
    /// Route template, exactly as this description lists it.
    route: Option<String>,
    /// Path, exactly.
    path: Option<String>,
    /// Start of the path.
    path_prefix: Option<String>,
    /// `cloud`, `dc`, `extender` or `other`.
    dialect: Option<String>,
    /// Status sent.
    status: Option<u16>,
    /// The signed-in caller: account id, username or e-mail.
    caller: Option<String>,
    /// At or after: RFC 3339 or epoch milliseconds.
    since: Option<String>,
    /// At or before: RFC 3339 or epoch milliseconds.
    until: Option<String>,
    /// Text the recorded body contains.
    body_contains: Option<String>,
    /// Only faulted (true) or unfaulted (false) requests.
    faulted: Option<bool>,
    /// Entries answered at most (default 100, at most 10,000).
    limit: Option<u64>,
}
