//! `GET /search/user?cql=`: user search in Confluence's search envelope.
//!
//! The query (cql.rs) becomes a boolean filter that roster-core answers
//! from its indexes: names through the name index (`user.fullname ~ "jo"`:
//! users with a word of their name starting with `jo`), account ids by
//! lookup, never a scan of every user. A search with name words runs on the blocking pool, at most
//! [`NAME_SEARCHES`] at a time: the index bounds its cost (one pass over
//! the postings at worst, about 0.2 ms with 100,000 distinct words under the
//! searched letter), and whatever a directory holds, the runtime's workers
//! stay free for everyone else meanwhile.

use std::time::Instant;

use axum::extract::State;
use axum::response::Response;
use roster_core::directory::Reader;
use roster_core::model::name_index::NameMatches;
use roster_core::model::{UserEntry, UserFilter};
use roster_core::{Actor, Error};
use tokio::sync::Semaphore;

use super::cql;
use super::render::{self, CloudExpand, Links, PageWriter};
use super::CloudRequest;
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::{escape, int, json_response, string};

/// Default and largest page of search results.
const DEFAULT_LIMIT: usize = 25;
const MAX_SEARCH: usize = 200;

/// Name searches running at once; the others wait their turn (in order,
/// holding no thread). Two keep a two-core machine's other core free.
pub const NAME_SEARCHES: usize = 2;
static RUNNING: Semaphore = Semaphore::const_new(NAME_SEARCHES);

/// What matched, in id order.
enum Hits<'m> {
    /// A filter's bitmap.
    Matched(NameMatches),
    /// One page of every user (`type = user`), walked without a bitmap.
    Everyone(Vec<&'m UserEntry>, usize),
}

impl Hits<'_> {
    fn total(&self) -> usize {
        match self {
            Hits::Matched(n) => n.len(),
            Hits::Everyone(_, total) => *total,
        }
    }
}

fn find<'m>(m: &'m Reader<'_>, q: &UserFilter, start: usize, limit: usize) -> Hits<'m> {
    match q {
        UserFilter::Everyone => Hits::Everyone(m.users().skip(start).take(limit).collect(), m.user_count()),
        UserFilter::NameWords(w) if w.is_empty() => {
            Hits::Everyone(m.users().skip(start).take(limit).collect(), m.user_count())
        }
        q => Hits::Matched(m.users_matching(q)),
    }
}

/// Runs the search.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/search/user",
    tag = "Cloud",
    operation_id = "cloudSearchUsers",
    params(("cql" = String, Query, description = "`type = user`; `user.fullname ~ \"words\"` (each word starts a word of the name; also `!~`, and `=`, `!=`, `IN`, `NOT IN` on whole names); `user` or `user.accountid` with `=`, `!=`, `IN (...)`, `NOT IN (...)`; combined with AND, OR, NOT and parentheses; at most 1,000 characters, 20 clauses, 8 levels of nesting, 10 words a value", example = "type = user and user.fullname ~ \"ada\""), ("start" = Option<u64>, Query), ("limit" = Option<u64>, Query, description = "Default 25, at most 200"), crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "Matching users, in the search envelope", body = crate::operations::openapi::cloud::SearchPage))
)]
pub async fn users(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Result<Response, ApiError> {
    let started = Instant::now();
    s.dir.reader(&actor)?;
    let q = cql::parse(here.params.required("cql")?)?;
    if !q.searches_names() {
        // Lookups, or a walk of one page: no name search to bound.
        return answer(&s, actor, &here, &q, started);
    }
    let _turn = RUNNING.acquire().await.map_err(|e| Error::Internal(anyhow::anyhow!("the search queue: {e}")))?;
    let task = tokio::task::spawn_blocking(move || answer(&s, actor, &here, &q, started));
    task.await.map_err(|e| Error::Internal(anyhow::anyhow!("the search failed: {e}")))?
}

/// The page of results, from one read of the model.
fn answer(
    s: &AppState,
    actor: Actor,
    here: &CloudRequest,
    q: &UserFilter,
    started: Instant,
) -> Result<Response, ApiError> {
    let m = s.dir.reader(&actor)?;
    let p = &here.params;
    let cql_text = p.required("cql")?;
    let page = p.page(DEFAULT_LIMIT, MAX_SEARCH)?;
    let expand = CloudExpand::parse(&p.all("expand"));
    let hits = find(&m, q, page.start, page.limit);
    let total = hits.total();
    let shown: Vec<&UserEntry> = match hits {
        Hits::Matched(n) => n.iter_from(page.start).take(page.limit).filter_map(|id| m.member(id)).collect(),
        Hits::Everyone(list, _) => list,
    };
    let mut w = PageWriter::new(700 * shown.len());
    let users = render::UserWriter::new(&m, &s.cloud_base, &s.cloud_base_json, expand);
    for e in shown {
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
    let more = page.limit > 0 && page.start + w.size() < total;
    let mut tail = Vec::with_capacity(64 + cql_text.len());
    tail.extend_from_slice(br#","cqlQuery":"#);
    string(&mut tail, cql_text);
    tail.extend_from_slice(br#","searchDuration":"#);
    int(&mut tail, started.elapsed().as_millis() as u64);
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    Ok(json_response(w.finish(&links, page, Some(total), more, &tail)))
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
