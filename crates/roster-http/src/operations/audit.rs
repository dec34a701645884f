//! `GET /wiki/rest/api/audit`: the audit log in Confluence Cloud's shape
//! (site admins only), newest first. Filters: `startDate` and `endDate`
//! (epoch milliseconds, inclusive), `searchString` (case-insensitive text in
//! actor, target, action, source or detail); paging `start`/`limit`
//! (default and maximum 1000, as Cloud).

use axum::extract::State;
use axum::response::Response;
use roster_core::audit::{AuditQuery, AuditRecord};
use roster_core::page::Page;
use roster_core::{Error, Result};
use serde_json::{json, Value};

use crate::dialects::cloud::render::{Links, PageWriter};
use crate::dialects::cloud::CloudRequest;
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::json_response;
use crate::wire::params::Params;

/// Default and largest page of audit records.
pub const MAX_AUDIT_LIMIT: usize = 1000;

fn date(p: &Params, name: &'static str) -> Result<Option<i64>> {
    match p.get(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| Error::invalid(name, "must be a time in epoch milliseconds")),
    }
}

fn object_type(kind: &str) -> &'static str {
    match kind {
        "group" => "Group",
        "user" => "User",
        "snapshot" => "Snapshot",
        _ => "Login",
    }
}

/// One record as Cloud renders an audit entry.
pub fn render(r: &AuditRecord) -> Value {
    let author = match r.actor.as_str() {
        "system" | "anonymous" => json!({"type": r.actor, "displayName": r.actor_name, "operations": null}),
        id => json!({"type": "known", "accountId": id, "accountType": "atlassian", "displayName": r.actor_name,
                     "publicName": r.actor_name, "operations": null, "isExternalCollaborator": false}),
    };
    let mut description = format!("{} {} ({})", r.action, r.outcome, r.target);
    if !r.object.is_empty() {
        description.push_str(&format!(", member {}", r.object));
    }
    if !r.detail.is_empty() {
        description.push_str(&format!("; {}", r.detail));
    }
    if !r.request_id.is_empty() {
        description.push_str(&format!("; request {}", r.request_id));
    }
    let changed: Vec<Value> = match r.action.as_str() {
        "user.update" | "user.deactivate" | "user.reactivate" => r
            .detail
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| json!({"name": f, "oldValue": "", "newValue": ""}))
            .collect(),
        _ => Vec::new(),
    };
    let associated: Vec<Value> =
        if r.object.is_empty() { Vec::new() } else { vec![json!({"name": r.object, "objectType": "User"})] };
    json!({
        "author": author,
        "remoteAddress": r.source,
        "creationDate": r.at_ms,
        "summary": r.summary(),
        "description": description,
        "category": r.category(),
        "sysAdmin": r.actor == "system",
        "affectedObject": {"name": if r.target_name.is_empty() { &r.target } else { &r.target_name },
                           "objectType": object_type(&r.target_kind)},
        "changedValues": changed,
        "associatedObjects": associated,
    })
}

/// `GET /wiki/rest/api/audit`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/audit",
    tag = "Cloud",
    operation_id = "cloudGetAuditRecords",
    params(("startDate" = Option<i64>, Query, description = "Epoch milliseconds, inclusive"), ("endDate" = Option<i64>, Query, description = "Epoch milliseconds, inclusive"), ("searchString" = Option<String>, Query, description = "Text in actor, target, action, source or detail"), ("start" = Option<u64>, Query), ("limit" = Option<u64>, Query, description = "Default and maximum 1000")),
    responses((status = 200, description = "Audit records, newest first (site admins)", body = crate::operations::openapi::cloud::AuditPage))
)]
pub async fn list(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Result<Response, ApiError> {
    let admin = s.dir.admin(&actor)?;
    let p = &here.params;
    let page = p.page(MAX_AUDIT_LIMIT, MAX_AUDIT_LIMIT)?;
    let query = AuditQuery {
        start_ms: date(p, "startDate")?,
        end_ms: date(p, "endDate")?,
        search: p.get("searchString").map(str::to_string),
        start: page.start,
        limit: page.limit,
    };
    let found = admin.audit_log(query).await?;
    let mut w = PageWriter::new(400 * found.records.len());
    for r in &found.records {
        w.item(|o| o.extend_from_slice(render(r).to_string().as_bytes()));
    }
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    Ok(json_response(w.finish(&links, Page { start: page.start, limit: page.limit }, None, found.has_more, b"")))
}
