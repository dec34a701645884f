//! v2 answers as wire types (`operations/openapi/v2.rs`), serialized: the
//! user object with v1's e-mail rule (site admins and the user themself
//! see the address, everyone else `""`), and the bulk lookup's envelope
//! with its `Link` header.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use roster_core::directory::Reader;
use roster_core::model::UserEntry;
use roster_core::types::User;

use crate::operations::openapi::v2 as wire;
use crate::wire::json::{json_response, serialized};

/// The user's IANA time zone, null when unknown (Atlassian's text: "may
/// return null"), shown to every viewer as v1 shows it: roster has no
/// privacy settings.
fn time_zone(u: &User) -> Option<String> {
    (!u.details.time_zone.is_empty()).then(|| u.details.time_zone.clone())
}

/// `e` as `m`'s caller sees it.
pub fn user(m: &Reader<'_>, e: &UserEntry) -> wire::User {
    let u = &e.user;
    wire::User {
        display_name: u.display_name.to_string(),
        time_zone: time_zone(u),
        personal_space_id: None,
        is_external_collaborator: false,
        account_status: if u.active { wire::AccountStatus::Active } else { wire::AccountStatus::Inactive },
        account_id: u.account_id.to_string(),
        email: if m.may_see_email(e) { u.email.to_string() } else { String::new() },
        account_type: u.account_type.to_string(),
        public_name: u.display_name.to_string(),
        profile_picture: wire::Icon { path: format!("/wiki/aa-avatar/{}", u.account_id), is_default: true },
    }
}

/// `value` as a 200 JSON answer.
pub fn json(value: &impl serde::Serialize) -> roster_core::Result<Response> {
    Ok(json_response(serialized(value, 1024)?))
}

/// The bulk lookup's answer: `users`, `_links.base`, and the same base in
/// a `Link` header (`<…/wiki>; rel="base"`), as the description gives it.
pub fn lookup(users: Vec<wire::User>, base: &str) -> roster_core::Result<Response> {
    let body = wire::UserLookup { results: users, links: wire::Links { base: base.to_string(), next: None } };
    let mut r = json(&body)?;
    if let Ok(link) = HeaderValue::from_str(&format!("<{base}>; rel=\"base\"")) {
        r.headers_mut().insert(header::LINK, link);
    }
    Ok(r)
}
