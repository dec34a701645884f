//! Extender user objects at the three detail levels: the name only,
//! `showBasicDetails` (`name`, `fullName`, `key`, `email`) and
//! `showExtendedDetails` (also the profile as one-element `business` and
//! `personal` arrays, the four dates as epoch milliseconds or null, each
//! with a `...String` twin in the requested `dateFormat`, and
//! `hasAccessToUseConfluence`). E-mail addresses are shown to site admins
//! and to the user themself, as everywhere in roster; others see "".

use roster_core::directory::Reader;
use roster_core::model::UserEntry;
use roster_core::Result;
use serde_json::{json, Map, Value};

use super::dates::DateFormat;
use crate::wire::params::Params;

/// How much of each user to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Name,
    Basic,
    Extended,
}

/// The detail level and date format a request asked for. An invalid
/// `dateFormat` is refused even when no date would be shown, so a script
/// learns about it on its first call.
pub fn options(p: &Params) -> Result<(Detail, DateFormat)> {
    let detail = if p.flag("showExtendedDetails")? {
        Detail::Extended
    } else if p.flag("showBasicDetails")? {
        Detail::Basic
    } else {
        Detail::Name
    };
    Ok((detail, DateFormat::from_param(p.get("dateFormat"))?))
}

/// The user's DC username (every user has one; see roster_core::usernames).
pub fn name(e: &UserEntry) -> &str {
    e.user.username.as_deref().unwrap_or("")
}

fn date(obj: &mut Map<String, Value>, key: &str, ms: Option<i64>, fmt: &DateFormat) {
    obj.insert(key.into(), ms.map_or(Value::Null, Value::from));
    obj.insert(format!("{key}String"), ms.map_or(Value::Null, |ms| Value::from(fmt.format(ms))));
}

/// The user object at `detail`, for `viewer`.
pub fn user(m: &Reader<'_>, e: &UserEntry, detail: Detail, fmt: &DateFormat) -> Value {
    let u = &e.user;
    let mut obj = Map::new();
    obj.insert("name".into(), name(e).into());
    if detail == Detail::Name {
        return Value::Object(obj);
    }
    let email = if m.may_see_email(e) { &*u.email } else { "" };
    obj.insert("fullName".into(), (&*u.display_name).into());
    obj.insert("key".into(), (&*u.user_key).into());
    obj.insert("email".into(), email.into());
    if detail == Detail::Extended {
        let d = &u.details;
        obj.insert(
            "business".into(),
            json!([{"location": d.location, "position": d.position, "department": d.department}]),
        );
        obj.insert("personal".into(), json!([{"website": d.website, "im": d.im, "phone": d.phone}]));
        date(&mut obj, "createdDate", Some(u.created_ms), fmt);
        date(&mut obj, "updatedDate", Some(u.updated_ms), fmt);
        date(&mut obj, "lastSuccessfulLoginDate", u.last_login_ms, fmt);
        date(&mut obj, "lastFailedLoginDate", u.last_failed_login_ms, fmt);
        obj.insert("hasAccessToUseConfluence".into(), m.can_use(e).into());
    }
    Value::Object(obj)
}

/// A page of users: `{"total","maxResults","startAt","users","status"}`.
pub fn user_page(total: usize, max: usize, start: usize, users: Vec<Value>) -> Value {
    json!({"total": total, "maxResults": max, "startAt": start, "users": users, "status": "success"})
}
