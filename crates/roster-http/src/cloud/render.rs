//! Cloud v1 JSON: users, groups and page envelopes. The plain user and
//! group objects are rendered once per record and cached in the model
//! (dropped when the record changes); a page is then mostly copies of
//! cached bytes. Expanded users take the slower, general path.

use roster_core::model::{Fragment, GroupEntry, Model, UserEntry};
use roster_core::page::Page;
use roster_core::Actor;
use serde_json::{json, Map, Value};

use crate::json::{escape, int, string};

/// The model's render slot used by this dialect.
const SLOT: usize = 0;

/// Which `expand` values a request asked for.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expand {
    pub operations: bool,
    pub personal: bool,
    pub business: bool,
    pub personal_space: bool,
}

impl Expand {
    /// Reads the `expand` values; unknown ones are ignored.
    pub fn parse(values: &[&str]) -> Self {
        let mut e = Expand::default();
        for v in values {
            match *v {
                "operations" => e.operations = true,
                "details.personal" => e.personal = true,
                "details.business" => e.business = true,
                "details" => (e.personal, e.business) = (true, true),
                "personalSpace" => e.personal_space = true,
                _ => {}
            }
        }
        e
    }

    fn any(&self) -> bool {
        self.operations || self.personal || self.business || self.personal_space
    }
}

fn build_user(e: &UserEntry, base: &str) -> Fragment {
    let u = &e.user;
    let mut o = Vec::with_capacity(480);
    o.extend_from_slice(br#"{"type":"known","accountId":"#);
    string(&mut o, &u.account_id);
    o.extend_from_slice(br#","accountType":"#);
    string(&mut o, &u.account_type);
    o.extend_from_slice(br#","email":""#);
    let start = o.len();
    escape(&mut o, &u.email);
    let end = o.len();
    o.extend_from_slice(br#"","publicName":"#);
    string(&mut o, &u.display_name);
    o.extend_from_slice(br#","profilePicture":{"path":"/wiki/aa-avatar/"#);
    escape(&mut o, &u.account_id);
    o.extend_from_slice(br#"","width":48,"height":48,"isDefault":true},"displayName":"#);
    string(&mut o, &u.display_name);
    o.extend_from_slice(if u.active { br#","accountStatus":"active""# } else { br#","accountStatus":"inactive""# });
    o.extend_from_slice(br#","isExternalCollaborator":false,"isGuest":false,"#);
    o.extend_from_slice(br#""_expandable":{"operations":"","details":"","personalSpace":""},"_links":{"self":""#);
    escape(&mut o, base);
    o.extend_from_slice(b"/rest/api/user?accountId=");
    escape(&mut o, &u.account_id);
    o.extend_from_slice(br#""}}"#);
    Fragment { json: String::from_utf8(o).unwrap_or_default().into_boxed_str(), hidden: start..end }
}

/// Appends the plain (unexpanded) user object.
pub fn user(out: &mut Vec<u8>, e: &UserEntry, base: &str, show_email: bool) {
    let f = e.rendered[SLOT].get_or_init(|| build_user(e, base));
    let b = f.json.as_bytes();
    if show_email {
        out.extend_from_slice(b);
    } else {
        out.extend_from_slice(&b[..f.hidden.start]);
        out.extend_from_slice(&b[f.hidden.end..]);
    }
}

/// Bytes the plain objects of `users` take (an estimate for users not yet
/// rendered), so that a page is written without growing its buffer.
pub fn users_capacity(users: &[&UserEntry]) -> usize {
    users.iter().map(|e| e.rendered[SLOT].get().map_or(640, |f| f.json.len() + 1)).sum()
}

/// Appends the user object for `viewer`, with the requested expansions.
pub fn user_for(out: &mut Vec<u8>, m: &Model, e: &UserEntry, base: &str, viewer: &Actor, expand: Expand) {
    let show = m.may_see_email(viewer, e);
    if !expand.any() {
        return user(out, e, base, show);
    }
    let mut plain = Vec::new();
    user(&mut plain, e, base, show);
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(&plain) else {
        out.extend_from_slice(&plain);
        return;
    };
    let mut expandable: Map<String, Value> =
        obj.remove("_expandable").and_then(|v| v.as_object().cloned()).unwrap_or_default();
    if expand.operations {
        let mut ops = Vec::new();
        if m.can_use(e) {
            ops.push(json!({"operation": "use", "targetType": "application"}));
        }
        if m.is_admin(e) {
            ops.push(json!({"operation": "administer", "targetType": "application"}));
        }
        obj.insert("operations".into(), Value::Array(ops));
        expandable.remove("operations");
    }
    if expand.personal || expand.business {
        let d = &e.user.details;
        let mut details = Map::new();
        if expand.personal {
            let email = if show { e.user.email.to_string() } else { String::new() };
            details
                .insert("personal".into(), json!({"phone": d.phone, "im": d.im, "website": d.website, "email": email}));
        }
        if expand.business {
            details.insert(
                "business".into(),
                json!({"position": d.position, "department": d.department, "location": d.location}),
            );
        }
        obj.insert("details".into(), Value::Object(details));
        expandable.remove("details");
    }
    if expand.personal_space {
        // roster keeps no spaces: expanding it shows that none exists.
        expandable.remove("personalSpace");
    }
    obj.insert("_expandable".into(), Value::Object(expandable));
    out.extend_from_slice(Value::Object(obj).to_string().as_bytes());
}

fn build_group(g: &GroupEntry, base: &str) -> Fragment {
    let mut o = Vec::with_capacity(160);
    o.extend_from_slice(br#"{"type":"group","name":"#);
    string(&mut o, &g.group.name);
    o.extend_from_slice(br#","id":"#);
    string(&mut o, &g.group.uuid);
    o.extend_from_slice(br#","_links":{"self":""#);
    escape(&mut o, base);
    o.extend_from_slice(b"/rest/api/group/by-id?id=");
    escape(&mut o, &g.group.uuid);
    o.extend_from_slice(br#""}}"#);
    Fragment { json: String::from_utf8(o).unwrap_or_default().into_boxed_str(), hidden: 0..0 }
}

/// Appends the group object.
pub fn group(out: &mut Vec<u8>, g: &GroupEntry, base: &str) {
    out.extend_from_slice(g.rendered[SLOT].get_or_init(|| build_group(g, base)).json.as_bytes());
}

/// Writes a Cloud page envelope: `{"results":[...],"start","limit","size",
/// ["totalSize",] "_links":{base, context, self[, next]}}`.
pub struct PageWriter {
    out: Vec<u8>,
    size: usize,
}

impl PageWriter {
    /// Starts a page expected to be about `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity + 256);
        out.extend_from_slice(br#"{"results":["#);
        PageWriter { out, size: 0 }
    }

    /// Adds one result written by `f`.
    pub fn item(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        if self.size > 0 {
            self.out.push(b',');
        }
        f(&mut self.out);
        self.size += 1;
    }

    /// Number of results so far.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Direct access for envelope fields written before [`PageWriter::finish`].
    pub fn extra(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// Closes the results and writes the paging fields and links.
    pub fn finish(mut self, links: &Links<'_>, page: Page, total: Option<usize>, more: bool, tail: &[u8]) -> Vec<u8> {
        let o = &mut self.out;
        o.extend_from_slice(br#"],"start":"#);
        int(o, page.start);
        o.extend_from_slice(br#","limit":"#);
        int(o, page.limit);
        o.extend_from_slice(br#","size":"#);
        int(o, self.size);
        if let Some(t) = total {
            o.extend_from_slice(br#","totalSize":"#);
            int(o, t);
        }
        o.extend_from_slice(tail);
        o.extend_from_slice(br#","_links":{"base":"#);
        string(o, links.base);
        o.extend_from_slice(br#","context":"/wiki","self":""#);
        escape(o, links.base);
        escape(o, links.path);
        o.push(b'?');
        links.params.write_with_page(o, page.start, page.limit);
        o.push(b'"');
        if more {
            o.extend_from_slice(br#","next":""#);
            escape(o, links.path);
            o.push(b'?');
            links.params.write_with_page(o, page.start + self.size, page.limit);
            o.push(b'"');
        }
        o.extend_from_slice(b"}}");
        self.out
    }
}

/// What a page needs to write its `_links`.
pub struct Links<'a> {
    pub base: &'a str,
    /// Path below `/wiki`, e.g. `/rest/api/group/member`.
    pub path: &'a str,
    pub params: &'a crate::params::Params,
}
