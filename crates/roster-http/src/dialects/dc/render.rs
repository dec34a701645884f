//! DC answers: Person, Group and the collection envelope
//! `{"results","start","limit","size","totalCount","_links":{"base","context","self","next","prev"}}`,
//! built as the wire types of `openapi/dc.rs` (which also describe them).
//! `next` and `prev` are relative to `_links.base`, as DC writes them.

use roster_core::directory::Reader;
use roster_core::model::{GroupEntry, UserEntry};

use super::DcRequest;
use crate::operations::openapi::cloud::{Anonymous, GroupType, Known};
use crate::operations::openapi::common::{BusinessDetails, PersonalDetails, ProfilePicture, SelfLink, UserDetails};
use crate::operations::openapi::dc::{
    AnonymousPerson, CollectionLinks, DcGroupCollection, DcPersonCollection, Empty, Group, Person, PersonExpandable,
    PersonStatus,
};

/// Which `expand` values a request asked for; others (`None` included, as
/// atlassian-python-api 4.x sends it) are ignored.
#[derive(Debug, Default, Clone, Copy)]
pub struct DcExpand {
    pub status: bool,
    pub personal: bool,
    pub business: bool,
    /// `lastLogin`: read by `/admin/users/list/active` only, the one place
    /// DC offers it.
    pub last_login: bool,
}

impl DcExpand {
    /// Reads `expand` from the query.
    pub fn of(here: &DcRequest) -> Self {
        let mut e = DcExpand::default();
        for v in here.params.all("expand") {
            match v {
                "status" => e.status = true,
                "details" => (e.personal, e.business) = (true, true),
                "details.personal" => e.personal = true,
                "details.business" => e.business = true,
                _ => {}
            }
        }
        e
    }
}

fn picture(context: &str, file: &str) -> ProfilePicture {
    ProfilePicture::default_at(format!("{context}/images/icons/profilepics/{file}"))
}

/// A Person as `viewer` may see it.
pub fn person(m: &Reader<'_>, e: &UserEntry, here: &DcRequest, x: DcExpand) -> Person {
    let u = &e.user;
    let d = &u.details;
    let details = (x.personal || x.business).then(|| UserDetails {
        personal: x.personal.then(|| PersonalDetails {
            phone: d.phone.to_string(),
            im: d.im.to_string(),
            website: d.website.to_string(),
            email: if m.may_see_email(e) { u.email.to_string() } else { String::new() },
        }),
        business: x.business.then(|| BusinessDetails {
            position: d.position.to_string(),
            department: d.department.to_string(),
            location: d.location.to_string(),
        }),
    });
    Person {
        kind: Known::Known,
        username: u.username.as_deref().unwrap_or("").to_string(),
        user_key: u.user_key.to_string(),
        profile_picture: picture(here.context, "default.svg"),
        display_name: u.display_name.to_string(),
        status: x.status.then_some(if u.active { PersonStatus::Active } else { PersonStatus::Deactivated }),
        details,
        last_login: x.last_login.then(|| u.last_login_ms.map(crate::dialects::cloud::search::iso8601)),
        links: SelfLink { self_: format!("{}/rest/api/user?key={}", here.base, u.user_key) },
        expandable: PersonExpandable {
            status: (!x.status).then(String::new),
            details: (!(x.personal || x.business)).then(String::new),
        },
    }
}

/// The anonymous Person.
pub fn anonymous(here: &DcRequest) -> AnonymousPerson {
    AnonymousPerson {
        kind: Anonymous::Anonymous,
        profile_picture: picture(here.context, "anonymous.svg"),
        display_name: "Anonymous".into(),
        links: SelfLink { self_: format!("{}/rest/api/user/anonymous", here.base) },
        expandable: Empty {},
    }
}

/// A Group.
pub fn group(g: &GroupEntry, here: &DcRequest) -> Group {
    let name = percent_encoding::utf8_percent_encode(&g.group.name, SEGMENT);
    Group {
        kind: GroupType::Group,
        name: g.group.name.to_string(),
        links: SelfLink { self_: format!("{}/rest/api/group/{name}", here.base) },
        expandable: Empty {},
    }
}

/// Characters escaped in a path segment of a link.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The `_links` of a collection page that started at `start` with the
/// effective `limit` and holds `size` of `total`.
pub fn collection_links(here: &DcRequest, start: usize, limit: usize, size: usize, total: usize) -> CollectionLinks {
    let link = |start: usize| format!("{}?{}", here.path, here.params.with_page(start, limit));
    CollectionLinks {
        base: here.base.clone(),
        context: here.context.into(),
        self_: format!("{}{}", here.base, link(start)),
        next: (limit > 0 && start + size < total).then(|| link(start + size)),
        prev: (start > 0 && limit > 0).then(|| link(start.saturating_sub(limit))),
    }
}

/// The page of `total` groups that started at `start` with the effective `limit`.
pub fn group_collection(
    here: &DcRequest,
    groups: Vec<Group>,
    start: usize,
    limit: usize,
    total: usize,
) -> DcGroupCollection {
    let links = collection_links(here, start, limit, groups.len(), total);
    DcGroupCollection::new(groups, start as u64, limit as u64, total as u64, links)
}

/// The page of `total` users that started at `start` with the effective `limit`.
pub fn person_collection(
    here: &DcRequest,
    people: Vec<Person>,
    start: usize,
    limit: usize,
    total: usize,
) -> DcPersonCollection {
    let links = collection_links(here, start, limit, people.len(), total);
    DcPersonCollection::new(people, start as u64, limit as u64, total as u64, links)
}
