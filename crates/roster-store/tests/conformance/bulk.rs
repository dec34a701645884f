//! Conformance cases for bulk loads: `import` (upserts, re-imports, a bad
//! record naming its origin, a set large enough for PostgreSQL's bulk path)
//! and `replace_all` (snapshot restore).

use std::sync::Arc;

use roster_records::import::{ImportMembership, ImportSet};
use roster_records::{Change, Command, Error, UserId};

use super::{group, new_group, new_user, user, Opened, Recorder};

fn import_set(n_users: usize, n_groups: usize) -> ImportSet {
    let mut set = ImportSet::default();
    for i in 0..n_users {
        set.users.push((new_user(&format!("imp{i}")), format!("users.jsonl:{}", i + 1)));
    }
    for j in 0..n_groups {
        set.groups.push((new_group(&format!("grp{j}")), format!("groups.jsonl:{}", j + 1)));
    }
    for i in 0..n_users {
        for j in 0..n_groups {
            if (i + j) % 2 == 0 {
                set.memberships.push(ImportMembership {
                    group_uuid: format!("uuid-grp{j}"),
                    account_id: format!("acc-imp{i}"),
                    origin: format!("members.jsonl:{}", i * n_groups + j + 1),
                });
            }
        }
    }
    set
}

pub async fn an_import_loads_everything_and_a_second_import_changes_nothing(o: Opened) {
    let s = &*o.store;
    let set = import_set(50, 6);
    let memberships = set.memberships.len();
    let r = s.import(set.clone()).await.unwrap();
    assert_eq!((r.users_added, r.groups_added, r.memberships_added), (50, 6, memberships));
    let snap = s.snapshot().await.unwrap();
    assert_eq!((snap.users.len(), snap.groups.len(), snap.memberships.len()), (50, 6, memberships));
    let r = s.import(set.clone()).await.unwrap();
    assert_eq!((r.users_added, r.users_updated, r.groups_added, r.memberships_added), (0, 0, 0, 0));
    assert_eq!(r.unchanged, set.len());
    let mut changed = set;
    changed.users[3].0.display_name = "Renamed".into();
    let r = s.import(changed).await.unwrap();
    assert_eq!(r.users_updated, 1);
    let snap = s.snapshot().await.unwrap();
    assert!(snap.users.iter().any(|u| &*u.display_name == "Renamed"));
}

pub async fn a_bad_import_record_is_named_and_nothing_is_imported(o: Opened) {
    let s = &*o.store;
    let mut set = import_set(10, 2);
    set.memberships.push(ImportMembership {
        group_uuid: "uuid-grp0".into(),
        account_id: "acc-nobody".into(),
        origin: "members.jsonl:99".into(),
    });
    let e = s.import(set).await.unwrap_err();
    assert!(e.to_string().contains("members.jsonl:99"), "{e}");
    let mut set = import_set(10, 2);
    set.users[7].0.email = "IMP2@example.com".into();
    let e = s.import(set).await.unwrap_err();
    assert!(e.to_string().contains("users.jsonl:8"), "{e}");
    let snap = s.snapshot().await.unwrap();
    assert!(snap.users.is_empty() && snap.groups.is_empty() && snap.memberships.is_empty());
}

pub async fn replacing_everything_with_a_snapshot_restores_exactly_its_rows(o: Opened) {
    let s = o.store.clone();
    s.snapshot().await.unwrap();
    let rec = Arc::new(Recorder::default());
    s.set_listener(rec.clone());
    let (u, g) = (user(&*s, "ned").await, group(&*s, "saved").await);
    s.apply(vec![
        Command::AddMember { group: g, user: u },
        Command::AddToken { user: u, hash: [3; 32], label: "t".into(), created_ms: 1 },
    ])
    .await
    .unwrap();
    let saved = s.snapshot().await.unwrap();
    let v = user(&*s, "ola").await;
    s.apply(vec![Command::DeleteGroup(g), Command::AddMember { group: group(&*s, "later").await, user: v }])
        .await
        .unwrap();
    s.replace_all(saved.clone()).await.unwrap();
    let now = s.snapshot().await.unwrap();
    assert_eq!(now.users, saved.users);
    assert_eq!(now.groups, saved.groups);
    assert_eq!(now.memberships, saved.memberships);
    assert_eq!(now.tokens, saved.tokens);
    {
        // The model hears of it: a reload, or (SQLite) the rows the restore
        // changed, to apply in place.
        let seen = rec.0.lock().unwrap();
        let reloaded = matches!(seen.last(), Some(Change::Reloaded(_)));
        let has = |f: &dyn Fn(&Change) -> bool| seen.iter().any(f);
        let in_place = has(&|c| matches!(c, Change::GroupCreated(x) if x.id == g))
            && has(&|c| matches!(c, Change::MemberAdded { group, user } if *group == g && *user == u))
            && has(&|c| matches!(c, Change::UserDeleted(x) if *x == v));
        assert!(reloaded || in_place, "the model hears of the restore: {seen:?}");
    }
    // New rows do not collide with restored ones.
    let w = user(&*s, "pia").await;
    assert_ne!(w, u);
    let _ = v;
}

pub async fn a_large_import_keeps_every_constraint(o: Opened) {
    let s = &*o.store;
    // Large enough for the PostgreSQL store's bulk path (indexes and
    // foreign keys rebuilt after the insert).
    let (n_users, n_groups) = (300, 170);
    let mut set = import_set(n_users, n_groups);
    set.memberships.clear();
    for i in 0..n_users {
        for j in 0..n_groups {
            set.memberships.push(ImportMembership {
                group_uuid: format!("uuid-grp{j}"),
                account_id: format!("acc-imp{i}"),
                origin: format!("m:{i}.{j}"),
            });
        }
    }
    set.memberships.push(set.memberships[7].clone());
    let r = s.import(set).await.unwrap();
    assert_eq!((r.memberships_added, r.unchanged), (n_users * n_groups, 1));
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.memberships.len(), n_users * n_groups);
    let (g, u) = snap.memberships[0];
    assert!(matches!(s.apply(vec![Command::AddMember { group: g, user: u }]).await.unwrap()[..], [Change::Unchanged]));
    let e = s.apply(vec![Command::AddMember { group: g, user: UserId(999_999) }]).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    s.apply(vec![Command::DeleteUser(u)]).await.unwrap();
    assert_eq!(s.snapshot().await.unwrap().memberships.len(), (n_users - 1) * n_groups);
}
