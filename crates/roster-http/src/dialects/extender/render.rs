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

use super::dates::DateFormat;
use crate::operations::openapi::common::BusinessDetails;
use crate::operations::openapi::extender::{ExtenderPersonal, ExtenderUser, ExtenderUserPage};
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

/// A date as epoch milliseconds and in `fmt`, both null when it is unknown.
fn date(ms: Option<i64>, fmt: &DateFormat) -> (Option<Option<i64>>, Option<Option<String>>) {
    (Some(ms), Some(ms.map(|ms| fmt.format(ms))))
}

/// The user object at `detail`, for `viewer`.
pub fn user(m: &Reader<'_>, e: &UserEntry, detail: Detail, fmt: &DateFormat) -> ExtenderUser {
    let u = &e.user;
    let mut out = ExtenderUser {
        name: name(e).to_string(),
        full_name: None,
        key: None,
        email: None,
        business: None,
        personal: None,
        created_date: None,
        created_date_string: None,
        updated_date: None,
        updated_date_string: None,
        last_successful_login_date: None,
        last_successful_login_date_string: None,
        last_failed_login_date: None,
        last_failed_login_date_string: None,
        has_access_to_use_confluence: None,
    };
    if detail == Detail::Name {
        return out;
    }
    out.full_name = Some(u.display_name.to_string());
    out.key = Some(u.user_key.to_string());
    out.email = Some(if m.may_see_email(e) { u.email.to_string() } else { String::new() });
    if detail == Detail::Extended {
        let d = &u.details;
        out.business = Some(vec![BusinessDetails {
            position: d.position.to_string(),
            department: d.department.to_string(),
            location: d.location.to_string(),
        }]);
        out.personal = Some(vec![ExtenderPersonal {
            website: d.website.to_string(),
            im: d.im.to_string(),
            phone: d.phone.to_string(),
        }]);
        (out.created_date, out.created_date_string) = date(Some(u.created_ms), fmt);
        (out.updated_date, out.updated_date_string) = date(Some(u.updated_ms), fmt);
        (out.last_successful_login_date, out.last_successful_login_date_string) = date(u.last_login_ms, fmt);
        (out.last_failed_login_date, out.last_failed_login_date_string) = date(u.last_failed_login_ms, fmt);
        out.has_access_to_use_confluence = Some(m.can_use(e));
    }
    out
}

/// A page of users: `{"total","maxResults","startAt","users","status"}`.
pub fn user_page(total: usize, max: usize, start: usize, users: Vec<ExtenderUser>) -> ExtenderUserPage {
    ExtenderUserPage {
        total: total as u64,
        max_results: max as u64,
        start_at: start as u64,
        users,
        status: "success".into(),
    }
}
