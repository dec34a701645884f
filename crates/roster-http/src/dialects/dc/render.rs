//! DC JSON: Person, Group and the collection envelope
//! `{"results","start","limit","size","totalCount","_links":{"base","context","self","next","prev"}}`.
//! `next` and `prev` are relative to `_links.base`, as DC writes them.

use roster_core::directory::Reader;
use roster_core::model::{GroupEntry, UserEntry};

use super::DcRequest;
use crate::wire::json::{escape, int, string};

/// Which `expand` values a request asked for; others (`None` included, as
/// atlassian-python-api 4.x sends it) are ignored.
#[derive(Debug, Default, Clone, Copy)]
pub struct DcExpand {
    pub status: bool,
    pub personal: bool,
    pub business: bool,
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

fn picture(o: &mut Vec<u8>, context: &str, file: &str) {
    o.extend_from_slice(br#""profilePicture":{"path":""#);
    escape(o, context);
    o.extend_from_slice(b"/images/icons/profilepics/");
    o.extend_from_slice(file.as_bytes());
    o.extend_from_slice(br#"","width":48,"height":48,"isDefault":true}"#);
}

/// Appends a Person for `viewer`.
pub fn person(o: &mut Vec<u8>, m: &Reader<'_>, e: &UserEntry, here: &DcRequest, x: DcExpand) {
    let u = &e.user;
    o.extend_from_slice(br#"{"type":"known","username":"#);
    string(o, u.username.as_deref().unwrap_or(""));
    o.extend_from_slice(br#","userKey":"#);
    string(o, &u.user_key);
    o.push(b',');
    picture(o, here.context, "default.svg");
    o.extend_from_slice(br#","displayName":"#);
    string(o, &u.display_name);
    if x.status {
        o.extend_from_slice(if u.active { br#","status":"Active""# } else { br#","status":"Deactivated""# });
    }
    if x.personal || x.business {
        let d = &u.details;
        o.extend_from_slice(br#","details":{"#);
        if x.business {
            o.extend_from_slice(br#""business":{"position":"#);
            string(o, &d.position);
            o.extend_from_slice(br#","department":"#);
            string(o, &d.department);
            o.extend_from_slice(br#","location":"#);
            string(o, &d.location);
            o.push(b'}');
        }
        if x.personal {
            if x.business {
                o.push(b',');
            }
            o.extend_from_slice(br#""personal":{"phone":"#);
            string(o, &d.phone);
            o.extend_from_slice(br#","im":"#);
            string(o, &d.im);
            o.extend_from_slice(br#","website":"#);
            string(o, &d.website);
            o.extend_from_slice(br#","email":"#);
            string(o, if m.may_see_email(e) { &u.email } else { "" });
            o.push(b'}');
        }
        o.push(b'}');
    }
    o.extend_from_slice(br#","_links":{"self":""#);
    escape(o, &here.base);
    o.extend_from_slice(b"/rest/api/user?key=");
    escape(o, &u.user_key);
    o.extend_from_slice(br#""},"_expandable":{"#);
    let mut rest = Vec::new();
    if !x.status {
        rest.push(r#""status":"""#);
    }
    if !(x.personal || x.business) {
        rest.push(r#""details":"""#);
    }
    o.extend_from_slice(rest.join(",").as_bytes());
    o.extend_from_slice(b"}}");
}

/// The anonymous Person.
pub fn anonymous(here: &DcRequest) -> Vec<u8> {
    let mut o = Vec::with_capacity(256);
    o.extend_from_slice(br#"{"type":"anonymous","#);
    picture(&mut o, here.context, "anonymous.svg");
    o.extend_from_slice(br#","displayName":"Anonymous","_links":{"self":""#);
    escape(&mut o, &here.base);
    o.extend_from_slice(br#"/rest/api/user/anonymous"},"_expandable":{}}"#);
    o
}

/// Appends a Group.
pub fn group(o: &mut Vec<u8>, g: &GroupEntry, here: &DcRequest) {
    o.extend_from_slice(br#"{"type":"group","name":"#);
    string(o, &g.group.name);
    o.extend_from_slice(br#","_links":{"self":""#);
    escape(o, &here.base);
    o.extend_from_slice(b"/rest/api/group/");
    escape(o, &percent_encoding::utf8_percent_encode(&g.group.name, SEGMENT).to_string());
    o.extend_from_slice(br#""},"_expandable":{}}"#);
}

/// Characters escaped in a path segment of a link.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Writes a DC collection.
pub struct Collection {
    out: Vec<u8>,
    size: usize,
}

impl Collection {
    /// Starts a collection expected to be about `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        let mut out = crate::wire::buffers::take(capacity + 384);
        out.extend_from_slice(br#"{"results":["#);
        Collection { out, size: 0 }
    }

    /// Adds one result written by `f`.
    pub fn item(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        if self.size > 0 {
            self.out.push(b',');
        }
        f(&mut self.out);
        self.size += 1;
    }

    /// Closes the collection: paging fields and links for the page that
    /// started at `start` with the effective `limit`, out of `total`.
    pub fn finish(mut self, here: &DcRequest, start: usize, limit: usize, total: usize) -> Vec<u8> {
        let o = &mut self.out;
        o.extend_from_slice(br#"],"start":"#);
        int(o, start);
        o.extend_from_slice(br#","limit":"#);
        int(o, limit);
        o.extend_from_slice(br#","size":"#);
        int(o, self.size);
        o.extend_from_slice(br#","totalCount":"#);
        int(o, total);
        o.extend_from_slice(br#","_links":{"base":"#);
        string(o, &here.base);
        o.extend_from_slice(br#","context":"#);
        string(o, here.context);
        o.extend_from_slice(br#","self":""#);
        escape(o, &here.base);
        link(o, here, start, limit);
        if limit > 0 && start + self.size < total {
            o.extend_from_slice(br#","next":""#);
            link(o, here, start + self.size, limit);
        }
        if start > 0 && limit > 0 {
            o.extend_from_slice(br#","prev":""#);
            link(o, here, start.saturating_sub(limit), limit);
        }
        o.extend_from_slice(b"}}");
        self.out
    }
}

/// `path?query` with the page set, and the closing quote.
fn link(o: &mut Vec<u8>, here: &DcRequest, start: usize, limit: usize) {
    escape(o, &here.path);
    o.push(b'?');
    escape(o, &here.params.with_page(start, limit));
    o.push(b'"');
}
