//! Cloud user endpoints: one user, the anonymous and current user, a
//! user's groups, bulk lookups, e-mail addresses and the key/username
//! migration lookup.

use axum::extract::State;
use axum::response::Response;
use roster_core::page::{Page, MAX_LIMIT};
use roster_core::{Actor, Error};
use serde_json::json;

use super::prefetch::Prefetched;
use super::render::{self, CloudExpand, Links, PageWriter, UserWriter};
use super::{user_by_account_username_or_key, CloudRequest};
use crate::state::AppState;
use crate::wire::auth::Caller;
use crate::wire::error::ApiError;
use crate::wire::json::json_response;

type Reply = Result<Response, ApiError>;

/// `GET /user?accountId=` (or `username=`, `key=`).
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user",
    tag = "Cloud",
    operation_id = "cloudGetUser",
    params(("accountId" = Option<String>, Query, description = "The user's account id", example = "5b10ac8d82e05b22cc7d4ef5"), ("username" = Option<String>, Query, description = "Or the username", example = "ada"), ("key" = Option<String>, Query, description = "Or the user key", example = "8a7f808a7c1a2b3c017c1a2b3c4d0001"), crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The user", body = crate::operations::openapi::cloud::User))
)]
pub async fn get_user(State(s): State<AppState>, _: Prefetched, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let e = user_by_account_username_or_key(&m, &here.params)?;
    let mut out = Vec::with_capacity(512);
    render::user_for(
        &mut out,
        &m,
        e,
        &s.cloud_base,
        &s.cloud_base_json,
        CloudExpand::parse(&here.params.all("expand")),
    );
    Ok(json_response(out))
}

/// `GET /user/anonymous`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/anonymous",
    tag = "Cloud",
    operation_id = "cloudGetAnonymousUser",
    params(crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The anonymous user", body = crate::operations::openapi::cloud::AnonymousUser))
)]
pub async fn anonymous(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    s.dir.reader(&actor)?;
    let ops = CloudExpand::parse(&here.params.all("expand")).operations;
    Ok(json_response(render::anonymous(&s.cloud_base, ops)?))
}

/// `GET /user/current`.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/current",
    tag = "Cloud",
    operation_id = "cloudGetCurrentUser",
    params(crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The caller (the anonymous user when anonymous)", body = crate::operations::openapi::cloud::CurrentUser))
)]
pub async fn current(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let expand = CloudExpand::parse(&here.params.all("expand"));
    match actor {
        Actor::User(id) => {
            let e = m.user(id).ok_or(Error::Unauthenticated)?;
            let mut out = Vec::with_capacity(512);
            render::user_for(&mut out, &m, e, &s.cloud_base, &s.cloud_base_json, expand);
            Ok(json_response(out))
        }
        _ => Ok(json_response(render::anonymous(&s.cloud_base, expand.operations)?)),
    }
}

/// `GET /user/memberof?accountId=`: the user's groups, by name.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/memberof",
    tag = "Cloud",
    operation_id = "cloudGetUserGroups",
    params(("accountId" = Option<String>, Query, description = "The user's account id", example = "5b10ac8d82e05b22cc7d4ef5"), ("username" = Option<String>, Query, description = "Or the username", example = "ada"), ("key" = Option<String>, Query, description = "Or the user key", example = "8a7f808a7c1a2b3c017c1a2b3c4d0001"), crate::operations::openapi::common::CloudPaging),
    responses((status = 200, description = "The user's groups, by name", body = crate::operations::openapi::cloud::GroupPage))
)]
pub async fn memberof(State(s): State<AppState>, _: Prefetched, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let p = &here.params;
    let e = user_by_account_username_or_key(&m, p)?;
    let groups = m.groups_of(e);
    render::warm_groups(&groups);
    super::groups::page_of(&s, &here, groups.iter().copied(), groups.len())
}

/// `GET /user/bulk?accountId=a,b`: at most 200 users, unknown ids skipped.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/bulk",
    tag = "Cloud",
    operation_id = "cloudGetUsersBulk",
    params(("accountId" = String, Query, description = "Account ids, comma-joined or repeated; unknown ones are skipped", example = "5b10ac8d82e05b22cc7d4ef5"), ("limit" = Option<u64>, Query, description = "At most this many (1-200)"), crate::operations::openapi::common::ExpandParam),
    responses((status = 200, description = "The users found", body = crate::operations::openapi::cloud::UserPage))
)]
pub async fn bulk(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let p = &here.params;
    let ids = p.all("accountId");
    if ids.is_empty() {
        return Err(Error::invalid("accountId", "is required").into());
    }
    let limit = match p.get("limit") {
        Some(_) => p.count("limit", MAX_LIMIT)?.clamp(1, MAX_LIMIT),
        None => MAX_LIMIT,
    };
    let expand = CloudExpand::parse(&p.all("expand"));
    let found = render::users_by_account(&m, &ids[..ids.len().min(limit)]);
    let mut w = PageWriter::new(render::users_capacity(&found, &s.cloud_base_json) + 2 * p.link_len());
    let users = UserWriter::new(&m, &s.cloud_base, &s.cloud_base_json, expand);
    for e in found {
        w.item(|o| users.write(o, e));
    }
    // The self link leaves out the id list: repeating 200 ids costs more
    // than rendering the users, and a bulk lookup is not a pageable resource.
    let no_query = crate::wire::params::Params::default();
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: &no_query };
    Ok(json_response(w.finish(&links, Page { start: 0, limit }, None, false, b"")))
}

/// `GET /user/email?accountId=`: site admins, or the user themself.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/email",
    tag = "Cloud",
    operation_id = "cloudGetUserEmail",
    params(("accountId" = String, Query, description = "The account id", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses((status = 200, description = "The user's address (site admins, or the user themself)", body = crate::operations::openapi::cloud::AccountEmail))
)]
pub async fn email(State(s): State<AppState>, _: Prefetched, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let e = m.user_by_account(here.params.required("accountId")?)?;
    if !m.may_see_email(e) {
        return Err(Error::forbidden("Only site admins may read other users' e-mail addresses").into());
    }
    let body = json!({"accountId": &*e.user.account_id, "email": &*e.user.email});
    Ok(json_response(body.to_string().into_bytes()))
}

/// `GET /user/email/bulk?accountId=`: the addresses the caller may see;
/// unknown or hidden accounts are left out.
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/email/bulk",
    tag = "Cloud",
    operation_id = "cloudGetUserEmailsBulk",
    params(("accountId" = String, Query, description = "Account ids, comma-joined or repeated", example = "5b10ac8d82e05b22cc7d4ef5")),
    responses((status = 200, description = "The addresses the caller may see", body = Vec<crate::operations::openapi::cloud::AccountEmail>))
)]
pub async fn email_bulk(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.reader(&actor)?;
    let ids = here.params.all("accountId");
    if ids.is_empty() {
        return Err(Error::invalid("accountId", "is required").into());
    }
    let records: Vec<_> = ids
        .iter()
        .filter_map(|id| m.user_by_account(id).ok())
        .filter(|e| m.may_see_email(e))
        .map(|e| json!({"accountId": &*e.user.account_id, "email": &*e.user.email}))
        .collect();
    Ok(json_response(serde_json::Value::Array(records).to_string().into_bytes()))
}

/// `GET /user/bulk/migration?key=..` or `?username=..` (site admins).
#[utoipa::path(
    get,
    path = "/wiki/rest/api/user/bulk/migration",
    tag = "Cloud",
    operation_id = "cloudGetUserMigration",
    params(("key" = Option<String>, Query, description = "User keys, comma-joined or repeated", example = "8a7f808a7c1a2b3c017c1a2b3c4d0001"), ("username" = Option<String>, Query, description = "Or usernames (not both)", example = "ada"), ("start" = Option<u64>, Query), ("limit" = Option<u64>, Query)),
    responses((status = 200, description = "Key, username and account id of each user found (site admins)", body = crate::operations::openapi::cloud::MigrationPage))
)]
pub async fn migration(State(s): State<AppState>, Caller(actor): Caller, here: CloudRequest) -> Reply {
    let m = s.dir.admin_reader(&actor)?;
    let p = &here.params;
    let (keys, names) = (p.all("key"), p.all("username"));
    let by_key = match (keys.is_empty(), names.is_empty()) {
        (false, false) => return Err(Error::invalid("key", "cannot be combined with username").into()),
        (true, true) => return Err(Error::invalid("key", "key or username is required").into()),
        (false, true) => true,
        (true, false) => false,
    };
    let wanted = if by_key { keys } else { names };
    let page = p.page(MAX_LIMIT, MAX_LIMIT)?;
    let found: Vec<_> =
        wanted.iter().filter_map(|v| if by_key { m.user_by_key(v).ok() } else { m.user_by_username(v).ok() }).collect();
    let mut w = PageWriter::new(128 * found.len());
    for e in found.iter().skip(page.start).take(page.limit) {
        let u = &e.user;
        let rec = json!({"username": u.username.as_deref(), "key": &*u.user_key, "accountId": &*u.account_id});
        w.item(|o| o.extend_from_slice(rec.to_string().as_bytes()));
    }
    let more = page.limit > 0 && page.start + w.size() < found.len();
    let links = Links { base_json: &s.cloud_base_json, path: here.path(), params: p };
    Ok(json_response(w.finish(&links, page, None, more, b"")))
}
