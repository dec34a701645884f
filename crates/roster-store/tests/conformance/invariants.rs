//! Conformance cases for the rules a store keeps itself, whatever the
//! callers saw when they decided to write: the admin-group precondition
//! (`Command::KeepAnAdminGroup`), checked inside the committing transaction
//! even when two instances race; ids that are never handed out again; and
//! a membership command's audit record, written only when the command
//! changed something (`Command::WithAudit`).

use roster_records::audit::{AuditQuery, AuditRecord};
use roster_records::{Change, Command, Error, GroupId, Store};

use super::{group, new_group, reopen, user, Opened};

const ADMIN: [&str; 2] = ["site-admins", "confluence-administrators"];

fn keep(field: &'static str) -> Command {
    Command::KeepAnAdminGroup { names: ADMIN.iter().map(|n| n.to_string()).collect(), field }
}

async fn group_names(s: &dyn Store) -> Vec<String> {
    let mut names: Vec<String> = s.snapshot().await.unwrap().groups.iter().map(|g| g.name.to_lowercase()).collect();
    names.sort();
    names
}

pub async fn the_admin_group_precondition_fails_the_whole_call_after_its_deletions(o: Opened) {
    let s = &*o.store;
    // Matched case-insensitively, as group names are.
    let (a, b) = (group(s, "Site-Admins").await, group(s, "confluence-administrators").await);
    let other = group(s, "devs").await;
    let u = user(s, "ann").await;
    let changes = s.apply(vec![Command::DeleteGroup(a), keep("name")]).await.unwrap();
    assert!(matches!(changes[..], [Change::GroupDeleted(_), Change::Unchanged]), "{changes:?}");
    // The last admin group: refused with the handlers' error, and nothing
    // of the call is applied, not even what came before the deletion.
    let e = s
        .apply(vec![Command::AddMember { group: other, user: u }, Command::DeleteGroup(b), keep("groupName")])
        .await
        .unwrap_err();
    match &e {
        Error::Invalid { field, reason } => {
            assert_eq!((*field, reason.as_str()), ("groupName", "cannot remove the last site-admin group"))
        }
        other => panic!("expected the last-admin-group refusal, got {other:?}"),
    }
    let snap = s.snapshot().await.unwrap();
    assert!(snap.memberships.is_empty(), "{snap:?}");
    assert_eq!(group_names(s).await, ["confluence-administrators", "devs"]);
    // Checked where it stands: an admin group created in the same call,
    // before the check, keeps the rule.
    s.apply(vec![Command::DeleteGroup(b), Command::CreateGroup(new_group("site-admins")), keep("name")]).await.unwrap();
    assert_eq!(group_names(s).await, ["devs", "site-admins"]);
}

/// Two instances over one store (for SQLite, two writer connections on one
/// file, as a CLI beside the server), each deleting one of the two admin
/// groups at the same moment: in every round exactly one may succeed.
pub async fn concurrent_deletions_from_two_instances_leave_an_admin_group(o: Opened) {
    let one = o.store.clone();
    let two = reopen(&o.target).await;
    for name in ADMIN {
        group(&*one, name).await;
    }
    for round in 0..10 {
        let snap = one.snapshot().await.unwrap();
        let id = |n: &str| snap.groups.iter().find(|g| &*g.name == n).map(|g| g.id).unwrap();
        let (a, b): (GroupId, GroupId) = (id(ADMIN[0]), id(ADMIN[1]));
        let (s1, s2) = (one.clone(), two.clone());
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let (b1, b2) = (start.clone(), start.clone());
        let t1 = tokio::spawn(async move {
            b1.wait().await;
            s1.apply(vec![Command::DeleteGroup(a), keep("name")]).await
        });
        let t2 = tokio::spawn(async move {
            b2.wait().await;
            s2.apply(vec![Command::DeleteGroup(b), keep("groups")]).await
        });
        let (r1, r2) = (t1.await.unwrap(), t2.await.unwrap());
        assert!(r1.is_ok() != r2.is_ok(), "round {round}: exactly one deletion may succeed: {r1:?} / {r2:?}");
        for r in [&r1, &r2] {
            if let Err(e) = r {
                assert!(matches!(e, Error::Invalid { .. }), "round {round}: {e:?}");
            }
        }
        let left = group_names(&*one).await;
        assert_eq!(left.len(), 1, "round {round}: {left:?}");
        let gone = if r1.is_ok() { ADMIN[0] } else { ADMIN[1] };
        group(&*one, gone).await;
    }
}

pub async fn a_deleted_id_is_never_handed_out_again(o: Opened) {
    let s = &*o.store;
    let _first = user(s, "old").await;
    let newest = user(s, "newest").await;
    let g = group(s, "newest-group").await;
    s.apply(vec![Command::DeleteUser(newest), Command::DeleteGroup(g)]).await.unwrap();
    let u = user(s, "next").await;
    let h = group(s, "next-group").await;
    assert!(u.0 > newest.0, "the new user got id {} after id {} was deleted", u.0, newest.0);
    assert!(h.0 > g.0, "the new group got id {} after id {} was deleted", h.0, g.0);
    // Nor after a restart (SQLite used to derive the next id from the
    // largest one present), nor from another instance.
    s.apply(vec![Command::DeleteUser(u), Command::DeleteGroup(h)]).await.unwrap();
    let again = reopen(&o.target).await;
    let (u2, h2) = (user(&*again, "after").await, group(&*again, "after-group").await);
    assert!(u2.0 > u.0 && h2.0 > h.0, "ids {}/{} reused after a reopen ({}/{} were deleted)", u2.0, h2.0, u.0, h.0);
}

/// Audit records of `action` in the store, by object.
async fn audited(s: &dyn Store, action: &str) -> Vec<String> {
    let q = AuditQuery { limit: 1000, ..AuditQuery::default() };
    let mut objects: Vec<String> =
        s.audit(q).await.unwrap().records.into_iter().filter(|r| r.action == action).map(|r| r.object).collect();
    objects.sort();
    objects
}

pub async fn a_membership_record_is_written_only_when_the_membership_changed(o: Opened) {
    let s = o.store.clone();
    let g = group(&*s, "watched").await;
    let users = [user(&*s, "pat").await, user(&*s, "quinn").await];
    let with = |add: bool, u: roster_records::UserId| {
        let (command, action) = if add {
            (Command::AddMember { group: g, user: u }, "member.add")
        } else {
            (Command::RemoveMember { group: g, user: u }, "member.remove")
        };
        let record = AuditRecord { action: action.into(), object: format!("user-{}", u.0), ..AuditRecord::default() };
        Command::WithAudit { command: Box::new(command), record: Box::new(record) }
    };
    for add in [true, false] {
        // Eight callers make the same two changes at once (so on PostgreSQL
        // they share pipelined batches): each change is made, and recorded,
        // once.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (s, cmds) = (s.clone(), users.iter().map(|&u| with(add, u)).collect::<Vec<_>>());
                tokio::spawn(async move { s.apply(cmds).await.unwrap() })
            })
            .collect();
        let mut changed = 0;
        for t in tasks {
            for c in t.await.unwrap() {
                match (add, c) {
                    (true, Change::MemberAdded { .. }) | (false, Change::MemberRemoved { .. }) => changed += 1,
                    (_, Change::Unchanged) => {}
                    (_, other) => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(changed, 2, "each membership changes once");
        let action = if add { "member.add" } else { "member.remove" };
        let want: Vec<String> = users.iter().map(|u| format!("user-{}", u.0)).collect();
        assert_eq!(audited(&*s, action).await, want, "one {action} record per change");
    }
    // A no-op alone writes nothing at all.
    let changes = s.apply(vec![with(false, users[0])]).await.unwrap();
    assert!(matches!(changes[..], [Change::Unchanged]), "{changes:?}");
    assert_eq!(audited(&*s, "member.remove").await.len(), 2);
}
