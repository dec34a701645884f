//! What a restore changes: the directory as it is against the snapshot,
//! counted and (up to a bound) named, for the restore's answer and its
//! audit record. A restore is a time machine: it brings back deleted users,
//! their tokens, revoked tokens, old passwords and admin memberships, so it
//! must say which. Tokens are named by owner and fingerprint (the first 12
//! hex digits of the token's SHA-256, which is what roster stores), never
//! by anything that would let a reader use them.

use std::fmt::Write as _;

use super::pairs::{unmatched, IdMap};
use crate::model::FastMap;
use crate::store::Snapshot;
use crate::types::{GroupId, User, UserId};

/// Most entries in each list of a restore's answer; the counts are exact.
pub const MAX_LISTED: usize = 1_000;

/// Most names of each kind in the audit record's detail.
const AUDIT_NAMES: usize = 20;

/// Longest audit detail, in bytes (the record is a row, not a report).
const AUDIT_DETAIL: usize = 4_096;

/// How many things of one kind a restore adds back, removes and changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub added: usize,
    pub removed: usize,
    pub updated: usize,
}

/// A user the restore brings back (`added`) or changes back (`updated`,
/// with the fields it reverts: `active`, `password`, `email`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    pub account_id: String,
    pub username: Option<String>,
    pub display_name: String,
    /// `added` or `updated`.
    pub change: &'static str,
    pub fields: Vec<&'static str>,
}

/// A token the restore brings back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBack {
    pub account_id: String,
    pub username: Option<String>,
    /// `sha256:` and the first 12 hex digits of the token's digest.
    pub fingerprint: String,
}

/// A membership the restore brings back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipBack {
    pub group: String,
    pub account_id: String,
}

/// Everything a restore changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreChanges {
    pub users: Tally,
    pub groups: Tally,
    pub memberships: Tally,
    pub tokens: Tally,
    /// Users brought back or changed back, by account id (at most [`MAX_LISTED`]).
    pub users_back: Vec<UserChange>,
    /// Users the restore deletes: (account id, display name).
    pub users_removed: Vec<(String, String)>,
    pub tokens_back: Vec<TokenBack>,
    pub memberships_back: Vec<MembershipBack>,
    pub groups_back: Vec<String>,
    pub groups_removed: Vec<String>,
    /// Whether any list above was cut at [`MAX_LISTED`].
    pub truncated: bool,
}

/// The fields whose revert matters to the user or to access; sign-in
/// times and `updated` stamps are left out (every restore reverts them).
pub(crate) fn reverted_fields(now: &User, then: &User) -> Vec<&'static str> {
    let pairs: [(&'static str, bool); 7] = [
        ("accountType", now.account_type != then.account_type),
        ("username", now.username != then.username),
        ("displayName", now.display_name != then.display_name),
        ("email", now.email != then.email),
        ("active", now.active != then.active),
        ("password", now.password_hash != then.password_hash),
        ("details", now.details != then.details),
    ];
    pairs.into_iter().filter(|(_, changed)| *changed).map(|(name, _)| name).collect()
}

/// The token fingerprint shown for a digest.
pub fn fingerprint(hash: &[u8; 32]) -> String {
    let mut s = String::from("sha256:");
    for b in &hash[..6] {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn push<T>(list: &mut Vec<T>, item: T, truncated: &mut bool) {
    if list.len() < MAX_LISTED {
        list.push(item);
    } else {
        *truncated = true;
    }
}

/// What restoring `then` over `now` changes.
pub fn compare(now: &Snapshot, then: &Snapshot) -> RestoreChanges {
    let mut c = RestoreChanges::default();
    let mut cut = false;
    let now_users: FastMap<UserId, &User> = now.users.iter().map(|u| (u.id, u)).collect();
    let then_users: FastMap<UserId, &User> = then.users.iter().map(|u| (u.id, u)).collect();
    // Same id, different account: the old one goes and the other comes
    // back. Ids that stand for the same user or group on both sides, for
    // the memberships below.
    let same = |a: &User, b: &User| a.account_id == b.account_id;
    let mut kept = IdMap::default();
    for u in &then.users {
        let back = |change, fields| UserChange {
            account_id: u.account_id.to_string(),
            username: u.username.as_deref().map(str::to_string),
            display_name: u.display_name.to_string(),
            change,
            fields,
        };
        match now_users.get(&u.id) {
            Some(n) if same(n, u) => {
                kept.users.insert(u.id, u.id);
                let fields = reverted_fields(n, u);
                if !fields.is_empty() {
                    c.users.updated += 1;
                    push(&mut c.users_back, back("updated", fields), &mut cut);
                }
            }
            _ => {
                c.users.added += 1;
                push(&mut c.users_back, back("added", Vec::new()), &mut cut);
            }
        }
    }
    for u in &now.users {
        if !then_users.get(&u.id).is_some_and(|t| same(t, u)) {
            c.users.removed += 1;
            push(&mut c.users_removed, (u.account_id.to_string(), u.display_name.to_string()), &mut cut);
        }
    }

    let now_groups: FastMap<GroupId, &str> = now.groups.iter().map(|g| (g.id, &*g.uuid)).collect();
    let then_groups: FastMap<GroupId, &str> = then.groups.iter().map(|g| (g.id, &*g.uuid)).collect();
    for g in &then.groups {
        if now_groups.get(&g.id) != Some(&&*g.uuid) {
            c.groups.added += 1;
            push(&mut c.groups_back, g.name.to_string(), &mut cut);
        } else {
            kept.groups.insert(g.id, g.id);
        }
    }
    for g in &now.groups {
        if then_groups.get(&g.id) != Some(&&*g.uuid) {
            c.groups.removed += 1;
            push(&mut c.groups_removed, g.name.to_string(), &mut cut);
        }
    }

    // A membership of a user or group that comes back counts as back too
    // (the store re-inserts it): only ids kept on both sides match.
    let group_name: FastMap<GroupId, &str> = then.groups.iter().map(|g| (g.id, &*g.name)).collect();
    for i in unmatched(&then.memberships, &now.memberships, &kept) {
        let (g, u) = then.memberships[i];
        c.memberships.added += 1;
        let group = group_name.get(&g).map(|n| n.to_string()).unwrap_or_default();
        let account_id = then_users.get(&u).map(|x| x.account_id.to_string()).unwrap_or_default();
        push(&mut c.memberships_back, MembershipBack { group, account_id }, &mut cut);
    }
    c.memberships.removed = unmatched(&now.memberships, &then.memberships, &kept).len();

    let now_t: FastMap<&[u8; 32], ()> = now.tokens.iter().map(|(h, _)| (h, ())).collect();
    let then_t: FastMap<&[u8; 32], ()> = then.tokens.iter().map(|(h, _)| (h, ())).collect();
    let mut back: Vec<TokenBack> = then
        .tokens
        .iter()
        .filter(|(h, _)| !now_t.contains_key(h))
        .map(|(h, owner)| {
            let u = then_users.get(owner);
            TokenBack {
                account_id: u.map(|u| u.account_id.to_string()).unwrap_or_default(),
                username: u.and_then(|u| u.username.as_deref().map(str::to_string)),
                fingerprint: fingerprint(h),
            }
        })
        .collect();
    c.tokens.added = back.len();
    c.tokens.removed = now.tokens.iter().filter(|(h, _)| !then_t.contains_key(h)).count();
    back.sort_by(|a, b| (&a.account_id, &a.fingerprint).cmp(&(&b.account_id, &b.fingerprint)));
    if back.len() > MAX_LISTED {
        back.truncate(MAX_LISTED);
        cut = true;
    }
    c.tokens_back = back;
    c.truncated = cut;
    c
}

fn names<T>(out: &mut String, label: &str, items: &[T], total: usize, name: impl Fn(&T) -> String) {
    if total == 0 {
        return;
    }
    let shown: Vec<String> = items.iter().take(AUDIT_NAMES).map(name).collect();
    let _ = write!(out, "; {label}: {}", shown.join(", "));
    if total > shown.len() {
        let _ = write!(out, " and {} more", total - shown.len());
    }
}

impl RestoreChanges {
    /// The audit record's detail: counts, then up to twenty names of each
    /// kind, at most [`AUDIT_DETAIL`] bytes.
    pub fn audit_detail(&self, created_ms: i64) -> String {
        let (u, g, m, t) = (self.users, self.groups, self.memberships, self.tokens);
        let mut s = format!(
            "snapshot taken at {created_ms} ms; users +{} -{} ~{}, groups +{} -{}, memberships +{} -{}, tokens +{} -{}",
            u.added, u.removed, u.updated, g.added, g.removed, m.added, m.removed, t.added, t.removed
        );
        let back = |x: &UserChange| match x.change {
            "added" => format!("{} ({})", x.account_id, x.display_name),
            _ => format!("{} ({}: {})", x.account_id, x.display_name, x.fields.join(",")),
        };
        names(&mut s, "users back", &self.users_back, u.added + u.updated, back);
        names(&mut s, "tokens back", &self.tokens_back, t.added, |x| format!("{} {}", x.account_id, x.fingerprint));
        names(&mut s, "memberships back", &self.memberships_back, m.added, |x| {
            format!("{} in {}", x.account_id, x.group)
        });
        names(&mut s, "users removed", &self.users_removed, u.removed, |x| format!("{} ({})", x.0, x.1));
        names(&mut s, "groups back", &self.groups_back, g.added, String::clone);
        names(&mut s, "groups removed", &self.groups_removed, g.removed, String::clone);
        if s.len() > AUDIT_DETAIL {
            let mut end = AUDIT_DETAIL - 3;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s.push_str("...");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Group;

    fn user(id: i64, account: &str) -> User {
        User {
            id: UserId(id),
            account_id: account.into(),
            account_type: "atlassian".into(),
            username: Some(account.into()),
            user_key: format!("key{id}").into(),
            display_name: format!("{account} name").into(),
            email: format!("{account}@example.com").into(),
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
            users: vec![user(1, "admin"), user(2, "bob"), user(3, "carol")],
            groups: vec![group(1, "site-admins"), group(2, "team")],
            memberships: vec![(GroupId(1), UserId(1)), (GroupId(1), UserId(2)), (GroupId(2), UserId(3))],
            tokens: vec![([1; 32], UserId(1)), ([2; 32], UserId(2)), ([3; 32], UserId(3))],
        }
    }

    #[test]
    fn nothing_changed_means_nothing_to_report() {
        let c = compare(&then(), &then());
        assert_eq!(c, RestoreChanges::default());
    }

    #[test]
    fn a_deleted_user_comes_back_with_token_and_admin_membership_named() {
        let mut now = then();
        now.users.retain(|u| u.id != UserId(2));
        now.memberships.retain(|m| m.1 != UserId(2));
        now.tokens.retain(|t| t.1 != UserId(2));
        now.tokens.retain(|t| t.1 != UserId(3)); // carol's token revoked
        let mut carol = user(3, "carol");
        carol.active = false;
        carol.password_hash = Some("new".into());
        now.users[1] = carol;
        now.users.push(user(4, "dave"));
        now.groups.push(group(3, "later"));
        let c = compare(&now, &then());
        assert_eq!(c.users, Tally { added: 1, removed: 1, updated: 1 });
        assert_eq!(c.tokens, Tally { added: 2, removed: 0, updated: 0 });
        assert_eq!(c.memberships, Tally { added: 1, removed: 0, updated: 0 });
        assert_eq!(c.groups, Tally { added: 0, removed: 1, updated: 0 });
        assert_eq!(c.users_back[0].account_id, "bob");
        assert_eq!(c.users_back[0].change, "added");
        assert_eq!(c.users_back[1].fields, vec!["active", "password"]);
        assert_eq!(c.tokens_back[0].fingerprint, "sha256:020202020202");
        assert_eq!(c.memberships_back, vec![MembershipBack { group: "site-admins".into(), account_id: "bob".into() }]);
        assert_eq!(c.users_removed, vec![("dave".to_string(), "dave name".to_string())]);
        let detail = c.audit_detail(7);
        assert!(
            detail.starts_with("snapshot taken at 7 ms; users +1 -1 ~1, groups +0 -1, memberships +1 -0, tokens +2 -0")
        );
        assert!(detail.contains("users back: bob (bob name), carol (carol name: active,password)"), "{detail}");
        assert!(detail.contains("bob sha256:020202020202"), "{detail}");
        assert!(detail.contains("bob in site-admins"), "{detail}");
    }

    #[test]
    fn lists_are_bounded_and_the_detail_stays_short() {
        let mut then = then();
        for i in 10..(10 + MAX_LISTED as i64 + 5) {
            then.users.push(user(i, &format!("u{i}-{}", "x".repeat(200))));
        }
        let c = compare(&Snapshot::default(), &then);
        assert_eq!(c.users.added, MAX_LISTED + 8);
        assert_eq!(c.users_back.len(), MAX_LISTED);
        assert!(c.truncated);
        let detail = c.audit_detail(0);
        assert!(detail.len() <= AUDIT_DETAIL, "{}", detail.len());
    }
}
