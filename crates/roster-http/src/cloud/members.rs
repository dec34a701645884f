//! Cloud membership endpoints: member pages (by name, path or id) and
//! adding or removing a member. Adding an existing member answers 201 and
//! changes nothing; removing a non-member answers 404.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::model::{GroupEntry, Model};
use roster_core::page::MAX_LIMIT;
use roster_core::{Error, GroupId, Result, UserId};
use serde::Deserialize;

use super::render::{self, Expand, Links, PageWriter};
use super::request::Segment;
use super::{group_by_name_param, Here};
use crate::auth::Caller;
use crate::body::{parse, RawBody};
use crate::error::ApiError;
use crate::json::json_response;
use crate::state::AppState;

type Reply = Result<Response, ApiError>;

fn members_page(s: &AppState, m: &Model, actor: &roster_core::Actor, here: &Here, g: &GroupEntry) -> Reply {
    let p = &here.params;
    let page = p.page(MAX_LIMIT, MAX_LIMIT)?;
    let total = g.members.len();
    let expand = Expand::parse(&p.all("expand"));
    // Resolve the page first: independent lookups overlap their cache misses.
    let found: Vec<_> = g.members.iter_from(page.start).take(page.limit).filter_map(|id| m.member(id)).collect();
    let mut w = PageWriter::new(render::users_capacity(&found));
    for e in found {
        w.item(|o| render::user_for(o, m, e, &s.cloud_base, actor, expand));
    }
    let more = page.limit > 0 && page.start + w.size() < total;
    let links = Links { base: &s.cloud_base, path: &here.path, params: p };
    let shown = p.flag("shouldReturnTotalSize")?.then_some(total);
    Ok(json_response(w.finish(&links, page, shown, more, b"")))
}

/// `GET /group/member?name=`.
pub async fn list_by_query(State(s): State<AppState>, Caller(actor): Caller, here: Here) -> Reply {
    let m = s.dir.read();
    m.require_read(&actor)?;
    let g = group_by_name_param(&m, &here.params)?;
    members_page(&s, &m, &actor, &here, g)
}

/// `GET /group/{groupName}/member`.
pub async fn list_by_path_name(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Segment(name): Segment,
    here: Here,
) -> Reply {
    let m = s.dir.read();
    m.require_read(&actor)?;
    let g = m.group_by_name(&name)?;
    members_page(&s, &m, &actor, &here, g)
}

/// `GET /group/{groupId}/membersByGroupId`.
pub async fn list_by_path_id(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Segment(id): Segment,
    here: Here,
) -> Reply {
    let m = s.dir.read();
    m.require_read(&actor)?;
    let g = m.group_by_uuid(&id)?;
    members_page(&s, &m, &actor, &here, g)
}

#[derive(Deserialize)]
struct AccountRef {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
}

fn account_from_body(body: &[u8]) -> Result<String> {
    let r: AccountRef = parse(body)?;
    r.account_id.filter(|a| !a.is_empty()).ok_or_else(|| Error::invalid("accountId", "is required"))
}

/// Resolves the group (by `name` or `groupId`) and the user of a write.
fn target(m: &Model, here: &Here, by_id: bool, account: &str) -> Result<(GroupId, UserId)> {
    let g =
        if by_id { m.group_by_uuid(here.params.required("groupId")?)? } else { group_by_name_param(m, &here.params)? };
    let u = m.user_by_account(account)?;
    Ok((g.group.id, u.user.id))
}

async fn add(s: AppState, actor: roster_core::Actor, here: Here, body: &[u8], by_id: bool) -> Reply {
    let (g, u) = {
        let m = s.dir.read();
        m.require_admin(&actor)?;
        let account = account_from_body(body)?;
        target(&m, &here, by_id, &account)?
    };
    s.dir.add_member(&actor, g, u).await?;
    Ok(StatusCode::CREATED.into_response())
}

async fn remove(s: AppState, actor: roster_core::Actor, here: Here, by_id: bool) -> Reply {
    let (g, u) = {
        let m = s.dir.read();
        m.require_admin(&actor)?;
        let account = here.params.required("accountId")?.to_string();
        target(&m, &here, by_id, &account)?
    };
    s.dir.remove_member(&actor, g, u).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /group/user?name=` `{"accountId"}`: 201.
pub async fn add_by_name(State(s): State<AppState>, Caller(a): Caller, here: Here, RawBody(b): RawBody) -> Reply {
    add(s, a, here, &b, false).await
}

/// `POST /group/userByGroupId?groupId=` `{"accountId"}`: 201.
pub async fn add_by_id(State(s): State<AppState>, Caller(a): Caller, here: Here, RawBody(b): RawBody) -> Reply {
    add(s, a, here, &b, true).await
}

/// `DELETE /group/user?name=&accountId=`: 204.
pub async fn remove_by_name(State(s): State<AppState>, Caller(a): Caller, here: Here) -> Reply {
    remove(s, a, here, false).await
}

/// `DELETE /group/userByGroupId?groupId=&accountId=`: 204.
pub async fn remove_by_id(State(s): State<AppState>, Caller(a): Caller, here: Here) -> Reply {
    remove(s, a, here, true).await
}
