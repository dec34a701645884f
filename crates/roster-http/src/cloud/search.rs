//! `GET /search/user?cql=`: user search in Confluence's search envelope.

use std::time::Instant;

use axum::extract::State;
use axum::response::Response;
use roster_core::model::UserEntry;

use super::cql;
use super::render::{self, Expand, Links, PageWriter};
use super::Here;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{escape, int, json_response, string};
use crate::state::AppState;

/// Default and largest page of search results.
const DEFAULT_LIMIT: usize = 25;
const MAX_SEARCH: usize = 200;

fn matches(q: &cql::UserQuery, e: &UserEntry) -> bool {
    if let Some(a) = &q.account_id {
        if &*e.user.account_id != a.as_str() {
            return false;
        }
    }
    if q.fullname.is_empty() {
        return true;
    }
    q.fullname.iter().all(|w| e.folded_name.contains(w.as_str()))
}

/// Runs the search.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/search/user",
    tag = "Cloud",
    operation_id = "cloudSearchUsers",
    params(("cql" = String, Query, description = "`type = user`, `user.fullname ~ \"words\"`, `user.accountid = \"id\"`, joined with AND", example = "type = user and user.fullname ~ \"ada\""), ("start" = Option<u64>, Query), ("limit" = Option<u64>, Query, description = "Default 25, at most 200"), crate::openapi::common::ExpandParam),
    responses((status = 200, description = "Matching users, in the search envelope", body = crate::openapi::cloud::SearchPage))
)]
pub async fn users(State(s): State<AppState>, Caller(actor): Caller, here: Here) -> Result<Response, ApiError> {
    let started = Instant::now();
    let m = s.dir.read();
    m.require_read(&actor)?;
    let p = &here.params;
    let cql_text = p.required("cql")?;
    let q = cql::parse(cql_text)?;
    let page = p.page(DEFAULT_LIMIT, MAX_SEARCH)?;
    let expand = Expand::parse(&p.all("expand"));
    let hits: Vec<&UserEntry> = match &q.account_id {
        Some(a) => m.user_by_account(a).ok().filter(|e| matches(&q, e)).into_iter().collect(),
        None => m.users().filter(|e| matches(&q, e)).collect(),
    };
    let mut w = PageWriter::new(700 * page.limit.min(hits.len()));
    let users = render::UserWriter::new(&m, &actor, &s.cloud_base_json, expand);
    for e in hits.iter().skip(page.start).take(page.limit) {
        w.item(|o| {
            o.extend_from_slice(br#"{"user":"#);
            users.write(o, e);
            o.extend_from_slice(br#","title":"#);
            string(o, &e.user.display_name);
            o.extend_from_slice(br#","excerpt":"","url":"/people/"#);
            escape(o, &e.user.account_id);
            o.extend_from_slice(br#"","breadcrumbs":[],"entityType":"user","iconCssClass":"aui-icon content-type-profile","lastModified":"#);
            string(o, &iso8601(e.user.updated_ms));
            o.extend_from_slice(br#","score":0.0}"#);
        });
    }
    let more = page.limit > 0 && page.start + w.size() < hits.len();
    let mut tail = Vec::with_capacity(64 + cql_text.len());
    tail.extend_from_slice(br#","cqlQuery":"#);
    string(&mut tail, cql_text);
    tail.extend_from_slice(br#","searchDuration":"#);
    int(&mut tail, started.elapsed().as_millis() as u64);
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    Ok(json_response(w.finish(&links, page, Some(hits.len()), more, &tail)))
}

/// Epoch milliseconds as an ISO-8601 UTC timestamp.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_render_as_iso_8601() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::iso8601(1_590_302_967_994), "2020-05-24T06:49:27.994Z");
    }
}
