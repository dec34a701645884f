//! What changed since a snapshot, by name: the reverse view of what a
//! restore of that snapshot would change (`changes.rs`), listed in full and
//! in a stable order so a test can assert "the sync did exactly this".
//!
//! Identity is what a client sees: a user is its account id (a user
//! deleted and created again under the same account id is "changed", not
//! removed and added), a group its UUID (deleted and created again under
//! the same name: both listed), a membership the pair. Users are ordered
//! by account id, groups by name, memberships by group name then account
//! id, tokens by account id then fingerprint.

use std::collections::BTreeSet;

use super::changes::{fingerprint, reverted_fields};
use super::pairs::{unmatched, IdMap};
use crate::model::FastMap;
use crate::store::Snapshot;
use crate::types::{GroupId, User, UserId};

/// A user as a diff names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserRef {
    pub account_id: String,
    pub username: Option<String>,
    pub display_name: String,
}

impl UserRef {
    fn of(u: &User) -> Self {
        UserRef {
            account_id: u.account_id.to_string(),
            username: u.username.as_deref().map(str::to_string),
            display_name: u.display_name.to_string(),
        }
    }
}

/// A membership as a diff names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemberRef {
    pub group: String,
    pub account_id: String,
    pub username: Option<String>,
}

/// A token as a diff names it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenRef {
    pub account_id: String,
    pub fingerprint: String,
}

/// Everything that changed between a snapshot (`then`) and now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub users_added: Vec<UserRef>,
    /// Users whose other fields changed, with those fields (`email`,
    /// `displayName`, `password`, ...; `active` is reported apart).
    pub users_changed: Vec<(UserRef, Vec<&'static str>)>,
    pub users_deactivated: Vec<UserRef>,
    pub users_reactivated: Vec<UserRef>,
    pub users_removed: Vec<UserRef>,
    pub groups_created: Vec<String>,
    pub groups_deleted: Vec<String>,
    pub memberships_added: Vec<MemberRef>,
    pub memberships_removed: Vec<MemberRef>,
    pub tokens_issued: Vec<TokenRef>,
    pub tokens_revoked: Vec<TokenRef>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Diff::default()
    }
}

fn tokens(s: &Snapshot, users: &FastMap<UserId, &User>) -> FastMap<[u8; 32], TokenRef> {
    s.tokens
        .iter()
        .map(|(h, u)| {
            let account_id = users.get(u).map(|u| u.account_id.to_string()).unwrap_or_default();
            (*h, TokenRef { account_id, fingerprint: fingerprint(h) })
        })
        .collect()
}

/// How the ids of `from` carry over to `to`: users by account id, groups
/// by UUID.
fn carry(from: &Snapshot, to: &Snapshot) -> IdMap {
    let users: FastMap<&str, UserId> = to.users.iter().map(|u| (&*u.account_id, u.id)).collect();
    let groups: FastMap<&str, GroupId> = to.groups.iter().map(|g| (&*g.uuid, g.id)).collect();
    IdMap {
        users: from.users.iter().filter_map(|u| Some((u.id, *users.get(&*u.account_id)?))).collect(),
        groups: from.groups.iter().filter_map(|g| Some((g.id, *groups.get(&*g.uuid)?))).collect(),
    }
}

/// The memberships of `from` missing in `to`, by name, sorted.
fn missing(from: &Snapshot, to: &Snapshot) -> Vec<MemberRef> {
    let users: FastMap<UserId, &User> = from.users.iter().map(|u| (u.id, u)).collect();
    let groups: FastMap<GroupId, &str> = from.groups.iter().map(|g| (g.id, &*g.name)).collect();
    let mut out: Vec<MemberRef> = unmatched(&from.memberships, &to.memberships, &carry(from, to))
        .into_iter()
        .filter_map(|i| {
            let (g, u) = from.memberships[i];
            let user = users.get(&u)?;
            Some(MemberRef {
                group: groups.get(&g)?.to_string(),
                account_id: user.account_id.to_string(),
                username: user.username.as_deref().map(str::to_string),
            })
        })
        .collect();
    out.sort();
    out
}

/// What changed from `then` to `now`.
pub fn diff(then: &Snapshot, now: &Snapshot) -> Diff {
    let mut d = Diff::default();
    let then_by_account: FastMap<&str, &User> = then.users.iter().map(|u| (&*u.account_id, u)).collect();
    let now_by_account: FastMap<&str, &User> = now.users.iter().map(|u| (&*u.account_id, u)).collect();
    for u in &now.users {
        match then_by_account.get(&*u.account_id) {
            None => d.users_added.push(UserRef::of(u)),
            Some(t) => {
                if t.active && !u.active {
                    d.users_deactivated.push(UserRef::of(u));
                } else if !t.active && u.active {
                    d.users_reactivated.push(UserRef::of(u));
                }
                let fields: Vec<_> = reverted_fields(u, t).into_iter().filter(|f| *f != "active").collect();
                if !fields.is_empty() {
                    d.users_changed.push((UserRef::of(u), fields));
                }
            }
        }
    }
    d.users_removed =
        then.users.iter().filter(|u| !now_by_account.contains_key(&*u.account_id)).map(UserRef::of).collect();

    let then_uuids: BTreeSet<&str> = then.groups.iter().map(|g| &*g.uuid).collect();
    let now_uuids: BTreeSet<&str> = now.groups.iter().map(|g| &*g.uuid).collect();
    d.groups_created =
        now.groups.iter().filter(|g| !then_uuids.contains(&*g.uuid)).map(|g| g.name.to_string()).collect();
    d.groups_deleted =
        then.groups.iter().filter(|g| !now_uuids.contains(&*g.uuid)).map(|g| g.name.to_string()).collect();

    d.memberships_added = missing(now, then);
    d.memberships_removed = missing(then, now);

    let then_users: FastMap<UserId, &User> = then.users.iter().map(|u| (u.id, u)).collect();
    let now_users: FastMap<UserId, &User> = now.users.iter().map(|u| (u.id, u)).collect();
    let (then_t, now_t) = (tokens(then, &then_users), tokens(now, &now_users));
    d.tokens_issued = now_t.iter().filter(|(h, _)| !then_t.contains_key(*h)).map(|(_, t)| t.clone()).collect();
    d.tokens_revoked = then_t.iter().filter(|(h, _)| !now_t.contains_key(*h)).map(|(_, t)| t.clone()).collect();

    let by_account = |a: &UserRef, b: &UserRef| a.account_id.cmp(&b.account_id);
    d.users_added.sort_by(by_account);
    d.users_changed.sort_by(|a, b| by_account(&a.0, &b.0));
    d.users_deactivated.sort_by(by_account);
    d.users_reactivated.sort_by(by_account);
    d.users_removed.sort_by(by_account);
    d.groups_created.sort();
    d.groups_deleted.sort();
    d.tokens_issued.sort();
    d.tokens_revoked.sort();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Group;

    fn user(id: i64, name: &str) -> User {
        User {
            id: UserId(id),
            account_id: format!("acc-{name}").into(),
            account_type: "atlassian".into(),
            username: Some(name.into()),
            user_key: format!("key{id}").into(),
            display_name: format!("{name} N").into(),
            email: format!("{name}@example.com").into(),
            active: true,
            password_hash: None,
            details: Default::default(),
            created_ms: 0,
            updated_ms: 0,
            last_login_ms: None,
            last_failed_login_ms: None,
        }
    }

    fn group(id: i64, name: &str) -> Group {
        Group { id: GroupId(id), uuid: format!("uuid-{id}").into(), name: name.into(), created_ms: 0 }
    }

    fn then() -> Snapshot {
        Snapshot {
            users: vec![user(1, "ann"), user(2, "bob"), user(3, "cat")],
            groups: vec![group(1, "site-admins"), group(2, "team")],
            memberships: vec![(GroupId(1), UserId(1)), (GroupId(2), UserId(2)), (GroupId(2), UserId(3))],
            tokens: vec![([1; 32], UserId(1))],
        }
    }

    #[test]
    fn no_change_is_an_empty_diff() {
        assert!(diff(&then(), &then()).is_empty());
    }

    #[test]
    fn every_kind_of_change_is_named_in_a_stable_order() {
        let mut now = then();
        now.users.retain(|u| u.id != UserId(3));
        now.memberships.retain(|m| m.1 != UserId(3));
        now.users[1].active = false;
        now.users[1].email = "bob@new.example.com".into();
        now.users[0].display_name = "Ann Renamed".into();
        now.users.push(user(5, "zed"));
        now.users.push(user(4, "dan"));
        now.groups.push(group(3, "new-team"));
        now.groups.retain(|g| g.id != GroupId(1));
        now.memberships.retain(|m| m.0 != GroupId(1));
        now.memberships.push((GroupId(3), UserId(5)));
        now.memberships.push((GroupId(3), UserId(4)));
        now.tokens.clear();
        now.tokens.push(([9; 32], UserId(4)));
        let d = diff(&then(), &now);
        let names = |v: &[UserRef]| v.iter().map(|u| u.account_id.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.users_added), ["acc-dan", "acc-zed"]);
        assert_eq!(names(&d.users_removed), ["acc-cat"]);
        assert_eq!(names(&d.users_deactivated), ["acc-bob"]);
        assert!(d.users_reactivated.is_empty());
        let changed: Vec<_> = d.users_changed.iter().map(|(u, f)| (u.account_id.as_str(), f.clone())).collect();
        assert_eq!(changed, [("acc-ann", vec!["displayName"]), ("acc-bob", vec!["email"])]);
        assert_eq!(d.groups_created, ["new-team"]);
        assert_eq!(d.groups_deleted, ["site-admins"]);
        let pairs = |v: &[MemberRef]| v.iter().map(|m| format!("{}:{}", m.group, m.account_id)).collect::<Vec<_>>();
        assert_eq!(pairs(&d.memberships_added), ["new-team:acc-dan", "new-team:acc-zed"]);
        assert_eq!(pairs(&d.memberships_removed), ["site-admins:acc-ann", "team:acc-cat"]);
        assert_eq!(d.tokens_issued, [TokenRef { account_id: "acc-dan".into(), fingerprint: fingerprint(&[9; 32]) }]);
        assert_eq!(d.tokens_revoked.len(), 1);
    }
}
