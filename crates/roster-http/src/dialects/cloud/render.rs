//! Cloud v1 JSON: users, groups and page envelopes. The plain user and
//! group objects are rendered once per record (a user's pieces by
//! [`user_pieces`], which the directory calls when it stores a user; a
//! group's object on first use) and kept in slots of the model's entries
//! (emptied when the record changes), without the base URL, which is put
//! in as they are copied out; a page is then mostly copies of cached
//! bytes. What the bytes are is defined here alone. Their wire types (`openapi/cloud.rs`) say the same: a test
//! compares the two on random records. Expanded users are built as the
//! wire type.

use roster_core::directory::Reader;
use roster_core::model::{EmailSight, Fragment, GroupEntry, UserEntry, GROUP_INLINE, PIECES};
use roster_core::page::Page;
use roster_core::{Group, User};

use crate::operations::openapi::cloud::{
    self as wire, AccountStatus, Anonymous, AnonymousLinks, AnonymousUser, GroupType, Known, OperationCheck,
    UserExpandable,
};
use crate::operations::openapi::common::{BusinessDetails, PersonalDetails, ProfilePicture, SelfLink, UserDetails};
use crate::wire::json::{escape, int, string};

/// Which `expand` values a request asked for.
#[derive(Debug, Default, Clone, Copy)]
pub struct CloudExpand {
    pub operations: bool,
    pub personal: bool,
    pub business: bool,
    pub personal_space: bool,
}

impl CloudExpand {
    /// Reads the `expand` values; unknown ones are ignored.
    pub fn parse(values: &[&str]) -> Self {
        let mut e = CloudExpand::default();
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

/// The fixed text of a plain user object, between the pieces.
const U0: &[u8] = br#"{"type":"known","accountId":""#;
const U1: &[u8] = br#"","accountType":""#;
const U2: &[u8] = br#"","email":""#;
const U3: &[u8] = br#"","publicName":""#;
const U4: &[u8] = br#"","profilePicture":{"path":"/wiki/aa-avatar/"#;
const U5: &[u8] = br#"","width":48,"height":48,"isDefault":true},"displayName":""#;
/// After the display name: the time zone, unknown (nearly every user's) or
/// around the given one.
const TZ_NULL: &[u8] = br#"","timeZone":null"#;
const TZ_OPEN: &[u8] = br#"","timeZone":""#;
const TZ_CLOSE: &[u8] = b"\"";
const U6: &[u8] = br#","accountStatus":""#;
const U7: &[u8] =
    br#"","isExternalCollaborator":false,"isGuest":false,"_expandable":{"operations":"","details":"","personalSpace":""},"_links":{"self":""#;
const U8: &[u8] = b"/rest/api/user?accountId=";
const U9: &[u8] = br#""}}"#;
const FIXED: usize = U0.len()
    + U1.len()
    + U2.len()
    + U3.len()
    + U4.len()
    + U5.len()
    + TZ_NULL.len()
    + U6.len()
    + U7.len()
    + U8.len()
    + U9.len();

/// Appends the plain (unexpanded) user object; `base_json` is the base
/// URL already escaped for JSON (`AppState::cloud_base_json`).
pub fn user(out: &mut Vec<u8>, e: &UserEntry, base_json: &str, show_email: bool) {
    write_user(out, &e.pieces, &Tails::new(base_json), show_email);
}

/// The plain user object as its wire type (`base` unescaped): what
/// [`user`] writes from the cached pieces.
pub fn wire_user(u: &User, base: &str, show_email: bool) -> wire::User {
    wire::User {
        kind: Known::Known,
        account_id: u.account_id.to_string(),
        account_type: u.account_type.to_string(),
        email: if show_email { u.email.to_string() } else { String::new() },
        public_name: u.display_name.to_string(),
        profile_picture: ProfilePicture::default_at(format!("/wiki/aa-avatar/{}", u.account_id)),
        display_name: u.display_name.to_string(),
        time_zone: (!u.details.time_zone.is_empty()).then(|| u.details.time_zone.clone()),
        account_status: if u.active { AccountStatus::Active } else { AccountStatus::Inactive },
        is_external_collaborator: false,
        is_guest: false,
        operations: None,
        details: None,
        expandable: UserExpandable {
            operations: Some(String::new()),
            details: Some(String::new()),
            personal_space: Some(String::new()),
        },
        links: SelfLink { self_: format!("{base}/rest/api/user?accountId={}", u.account_id) },
    }
}

/// The fixed text from the account type's opening quote to the e-mail's,
/// with the account type nearly every user has.
const U1_ATLASSIAN_U2: &[u8] = br#"","accountType":"atlassian","email":""#;
const ATLASSIAN: &[u8] = b"atlassian";
const ACTIVE: &[u8] = b"active";

/// The fixed text from the end of the display name to the account id in
/// the self link, the same for every user of a page, held once with the
/// time zone and status nearly every user has (unknown, active) in front:
/// from the start ([`Tails::usual`], one copy for such a user), from the
/// status key ([`Tails::active`]) or from after the status's opening quote
/// ([`Tails::link`]).
struct Tails {
    usual: Vec<u8>,
}

impl Tails {
    fn new(base_json: &str) -> Self {
        Tails { usual: [TZ_NULL, U6, ACTIVE, U7, base_json.as_bytes(), U8].concat() }
    }

    fn usual(&self) -> &[u8] {
        &self.usual
    }

    fn active(&self) -> &[u8] {
        &self.usual[TZ_NULL.len()..]
    }

    fn link(&self) -> &[u8] {
        &self.usual[TZ_NULL.len() + U6.len() + ACTIVE.len()..]
    }
}

/// Indexes of a user's pieces.
const ID: usize = 0;

/// A user's pieces: its JSON-escaped account id, account type, e-mail,
/// display name, time zone (empty when unknown) and status, back to back.
/// The directory makes them with this when it stores a user
/// (`Directory::open`'s writer): roster serves a directory only when it was
/// opened with it.
pub fn user_pieces(u: &User) -> Fragment {
    let mut o = Vec::with_capacity(128);
    let mut marks = [0u32; PIECES];
    let status = if u.active { "active" } else { "inactive" };
    let parts: [&str; PIECES] =
        [&u.account_id, &u.account_type, &u.email, &u.display_name, &u.details.time_zone, status];
    for (mark, part) in marks.iter_mut().zip(parts) {
        escape(&mut o, part);
        *mark = o.len() as u32;
    }
    Fragment::new(&o, marks)
}

/// A user's pieces ([`user_pieces`]) are about a hundred bytes kept inside
/// the user's entry, where the finished object
/// takes five hundred and fifty: a page of 200 users scattered over the
/// model reads two cache lines per user instead of nine, and memory latency
/// is what a page waits on. This puts the fixed text around them.
///
/// The copies are written out one by one rather than looped over: the
/// fixed parts then have lengths the compiler knows, and it copies them
/// inline instead of calling `memcpy` sixteen times a user. The usual
/// account type and status go out with the fixed text around them.
fn write_user(out: &mut Vec<u8>, pieces: &Fragment, tails: &Tails, show_email: bool) {
    let [id, kind, email, name, zone, status] = pieces.pieces();
    let email = if show_email { email } else { b"" };
    out.extend_from_slice(U0);
    out.extend_from_slice(id);
    if kind == ATLASSIAN {
        out.extend_from_slice(U1_ATLASSIAN_U2);
    } else {
        out.extend_from_slice(U1);
        out.extend_from_slice(kind);
        out.extend_from_slice(U2);
    }
    out.extend_from_slice(email);
    out.extend_from_slice(U3);
    out.extend_from_slice(name);
    out.extend_from_slice(U4);
    out.extend_from_slice(id);
    out.extend_from_slice(U5);
    out.extend_from_slice(name);
    if zone.is_empty() && status == ACTIVE {
        out.extend_from_slice(tails.usual());
    } else {
        if zone.is_empty() {
            out.extend_from_slice(TZ_NULL);
        } else {
            out.extend_from_slice(TZ_OPEN);
            out.extend_from_slice(zone);
            out.extend_from_slice(TZ_CLOSE);
        }
        if status == ACTIVE {
            out.extend_from_slice(tails.active());
        } else {
            out.extend_from_slice(U6);
            out.extend_from_slice(status);
            out.extend_from_slice(tails.link());
        }
    }
    out.extend_from_slice(id);
    out.extend_from_slice(U9);
}

/// Writes the user objects of one page for one viewer. What is the same
/// for every user of the page (whether the viewer sees all addresses, the
/// links' fixed text) is worked out once, not per user.
pub struct UserWriter<'a> {
    m: &'a Reader<'a>,
    sight: EmailSight<'a>,
    base: &'a str,
    tails: Tails,
    expand: CloudExpand,
}

impl<'a> UserWriter<'a> {
    /// A writer for the reader (`base` as for [`user_for`], `base_json`
    /// as for [`user`]).
    pub fn new(m: &'a Reader<'a>, base: &'a str, base_json: &'a str, expand: CloudExpand) -> Self {
        UserWriter { m, sight: m.email_sight(), base, tails: Tails::new(base_json), expand }
    }

    /// Appends `e` as the viewer may see it.
    pub fn write(&self, out: &mut Vec<u8>, e: &UserEntry) {
        if self.expand.any() {
            return expanded(out, self.m, e, self.base, self.expand);
        }
        write_user(out, &e.pieces, &self.tails, self.sight.shows(e));
    }
}

/// The users holding these account ids, in the order asked, unknown ids
/// left out. Each candidate from the model's index is confirmed against
/// its cached pieces, which the page reads next anyway, instead of against
/// the account id stored elsewhere in memory: one cache miss fewer per
/// user. The pieces start with the escaped account id, and escaping always
/// writes a backslash, so when the id asked for has no backslash and equals
/// those bytes, it equals the stored id. Anything else takes the model's
/// exact lookup.
pub fn users_by_account<'m>(m: &'m Reader<'_>, account_ids: &[&str]) -> Vec<&'m UserEntry> {
    // The candidates' entries are already in cache: the model's lookup
    // touched them all in one pass.
    let candidates = m.account_candidates(account_ids);
    let mut found = Vec::with_capacity(account_ids.len());
    for (key, candidate) in account_ids.iter().zip(candidates) {
        match candidate {
            Some(e) if holds(e.pieces.piece(ID), key) => found.push(e),
            Some(_) => found.extend(m.user_by_account(key).ok()),
            None => {}
        }
    }
    found
}

/// The user holding this account id, confirmed as in [`users_by_account`]:
/// on the entry's first cache lines, where the model's own lookup reads
/// the stored id from elsewhere in memory.
pub fn user_by_account<'m>(m: &'m Reader<'_>, account_id: &str) -> roster_core::Result<&'m UserEntry> {
    match m.account_candidate(account_id) {
        Some(e) if holds(e.pieces.piece(ID), account_id) => Ok(e),
        _ => m.user_by_account(account_id),
    }
}

/// Whether a user whose escaped id is `id` holds the account id `key`: the
/// bytes are equal and none is a backslash. Eight bytes at a time, without
/// a branch per byte: ids are a few dozen bytes, where a `memcmp` call and
/// a second pass for the backslash cost more than the comparing.
fn holds(id: &[u8], key: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let key = key.as_bytes();
    if id.len() != key.len() {
        return false;
    }
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let (ids, keys) = (id.chunks_exact(8), key.chunks_exact(8));
    let tail = ids.remainder().iter().zip(keys.remainder());
    let mut bad = tail.fold(0, |bad, (&a, &b)| bad | u64::from(a ^ b) | u64::from(a == b'\\'));
    for (a, b) in ids.zip(keys) {
        let (a, b) = (word(a), word(b));
        // Nonzero exactly when a byte of `a` is a backslash.
        let slash = a ^ (ONES * u64::from(b'\\'));
        bad |= (a ^ b) | (slash.wrapping_sub(ONES) & !slash & HIGHS);
    }
    bad == 0
}

/// Bytes the plain objects of `users` take, so that a page is written
/// without growing its buffer. (The model's lookups that found `users`
/// already brought their pieces into cache, in one pass.)
pub fn users_capacity(users: &[&UserEntry], base_json: &str) -> usize {
    users
        .iter()
        .map(|e| {
            let [id, kind, email, name, zone, status] = e.pieces.piece_lens();
            FIXED + base_json.len() + 1 + 3 * id + kind + email + 2 * name + zone + status
        })
        .sum()
}

/// Appends the user object for `viewer`, with the requested expansions
/// (`base` unescaped, `base_json` as for [`user`]).
pub fn user_for(out: &mut Vec<u8>, m: &Reader<'_>, e: &UserEntry, base: &str, base_json: &str, expand: CloudExpand) {
    if !expand.any() {
        return user(out, e, base_json, m.may_see_email(e));
    }
    expanded(out, m, e, base, expand)
}

/// Appends the user object with its expansions, from the wire type. Its
/// keys go out sorted, as expanded users always have (they were the plain
/// bytes parsed into a `serde_json::Value`, whose maps sort): a `Value` in
/// between still does the sorting.
fn expanded(out: &mut Vec<u8>, m: &Reader<'_>, e: &UserEntry, base: &str, expand: CloudExpand) {
    let show = m.may_see_email(e);
    let mut u = wire_user(&e.user, base, show);
    if expand.operations {
        let check = |operation: &str| OperationCheck { operation: operation.into(), target_type: "application".into() };
        let uses = m.can_use(e).then(|| check("use"));
        u.operations = Some(uses.into_iter().chain(m.is_admin(e).then(|| check("administer"))).collect());
        u.expandable.operations = None;
    }
    if expand.personal || expand.business {
        let d = &e.user.details;
        u.details = Some(UserDetails {
            business: expand.business.then(|| BusinessDetails {
                position: d.position.clone(),
                department: d.department.clone(),
                location: d.location.clone(),
            }),
            personal: expand.personal.then(|| PersonalDetails {
                phone: d.phone.clone(),
                im: d.im.clone(),
                website: d.website.clone(),
                email: u.email.clone(),
            }),
        });
        u.expandable.details = None;
    }
    if expand.personal_space {
        // roster keeps no spaces: expanding it shows that none exists.
        u.expandable.personal_space = None;
    }
    // Neither a `Value` nor writing into a `Vec` can fail.
    if let Ok(sorted) = serde_json::to_value(&u) {
        let _ = serde_json::to_writer(out, &sorted);
    }
}

/// The anonymous user (`base` unescaped), with `operations` (none) when
/// asked for. Its keys go out sorted, as they always have.
pub fn anonymous(base: &str, operations: bool) -> roster_core::Result<Vec<u8>> {
    let u = AnonymousUser {
        kind: Anonymous::Anonymous,
        profile_picture: ProfilePicture::default_at("/wiki/s/avatar/anonymous.svg".into()),
        display_name: "Anonymous".into(),
        operations: operations.then(Vec::new),
        is_external_collaborator: false,
        expandable: UserExpandable { operations: (!operations).then(String::new), details: None, personal_space: None },
        links: AnonymousLinks {
            self_: format!("{base}/rest/api/user/anonymous"),
            base: base.into(),
            context: "/wiki".into(),
        },
    };
    let sorted = serde_json::to_value(&u).map_err(|e| roster_core::Error::Internal(e.into()))?;
    crate::wire::json::serialized(&sorted, 512)
}

/// The group object with a hole where the base URL goes (at mark 0): the
/// cache sits in the directory, which may be served under several base
/// URLs at once.
fn build_group(g: &Group) -> Fragment<GROUP_INLINE> {
    let mut o = Vec::with_capacity(192);
    o.extend_from_slice(br#"{"type":"group","name":"#);
    string(&mut o, &g.name);
    o.extend_from_slice(br#","id":"#);
    string(&mut o, &g.uuid);
    o.extend_from_slice(br#","_links":{"self":""#);
    let hole = o.len() as u32;
    o.extend_from_slice(b"/rest/api/group/by-id?id=");
    escape(&mut o, &g.uuid);
    o.extend_from_slice(br#""}}"#);
    Fragment::new(&o, [hole, 0, 0, 0, 0, 0])
}

fn group_bytes(g: &GroupEntry) -> &Fragment<GROUP_INLINE> {
    g.rendered.get_or_init(|| build_group(&g.group))
}

/// The group object as its wire type (`base` unescaped): what [`group`]
/// writes from the cached bytes.
pub fn wire_group(g: &Group, base: &str) -> wire::Group {
    wire::Group {
        kind: GroupType::Group,
        name: g.name.to_string(),
        id: g.uuid.to_string(),
        links: SelfLink { self_: format!("{base}/rest/api/group/by-id?id={}", g.uuid) },
    }
}

/// Appends the group object; `base_json` is the base URL already escaped
/// for JSON (`AppState::cloud_base_json`).
pub fn group(out: &mut Vec<u8>, g: &GroupEntry, base_json: &str) {
    write_group(out, group_bytes(g), base_json);
}

fn write_group(out: &mut Vec<u8>, cached: &Fragment<GROUP_INLINE>, base_json: &str) {
    let (head, tail) = cached.split(0);
    out.extend_from_slice(head);
    out.extend_from_slice(base_json.as_bytes());
    out.extend_from_slice(tail);
}

/// Reads a byte of every cache line of each group's cached object, in a
/// pass of independent loads, so that writing them does not wait for each
/// cache miss in turn.
pub fn warm_groups(groups: &[&GroupEntry]) {
    let lines = |b: &[u8]| b.iter().step_by(64).chain(b.last()).fold(0u8, |a, x| a ^ x);
    let seen = groups.iter().fold(0u8, |a, g| a ^ lines(group_bytes(g).bytes()));
    std::hint::black_box(seen);
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
        let mut out = crate::wire::buffers::take(capacity + 256);
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
        o.extend_from_slice(br#","_links":{"base":""#);
        o.extend_from_slice(links.base_json.as_bytes());
        o.extend_from_slice(br#"","context":"/wiki","self":""#);
        o.extend_from_slice(links.base_json.as_bytes());
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
    /// The base URL escaped for JSON (`AppState::cloud_base_json`).
    pub base_json: &'a str,
    /// Path below `/wiki`, e.g. `/rest/api/group/member`.
    pub path: &'a str,
    pub params: &'a crate::wire::params::Params,
}

#[cfg(test)]
mod tests;
