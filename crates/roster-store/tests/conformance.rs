//! One suite every store passes: each case below runs against SQLite (a
//! temp file) and against PostgreSQL (a fresh database in a throwaway
//! cluster, see roster-testpg; skipped loudly without PostgreSQL, failing
//! under CI). Cases talk to the `Store` trait only.

use std::sync::{Arc, Mutex};

use roster_records::audit::{AuditQuery, AuditRecord};
use roster_records::store::CommitListener;
use roster_records::types::{NewGroup, NewUser, UserDetails};
use roster_records::{Change, Command, Error, GroupId, Store, UserId};
use roster_store::{PostgresStore, SqliteStore};

// Bulk loads: import and snapshot restore.
#[path = "conformance/bulk.rs"]
mod bulk;
use bulk::*;

// Rules the store keeps itself: the admin-group precondition, ids.
#[path = "conformance/invariants.rs"]
mod invariants;
use invariants::*;

/// A store and whatever must outlive it (temp dir), plus how to reopen it.
pub struct Opened {
    pub store: Arc<dyn Store>,
    target: String,
    _tmp: Option<tempfile::TempDir>,
}

async fn reopen(target: &str) -> Arc<dyn Store> {
    if target.starts_with("postgres://") {
        Arc::new(PostgresStore::open(target).await.unwrap())
    } else {
        Arc::new(SqliteStore::open(target).unwrap())
    }
}

async fn sqlite() -> Option<Opened> {
    let tmp = tempfile::TempDir::new().unwrap();
    let target = tmp.path().join("roster.db").to_string_lossy().into_owned();
    Some(Opened { store: reopen(&target).await, target, _tmp: Some(tmp) })
}

async fn postgres() -> Option<Opened> {
    let cluster = roster_testpg::cluster("roster-store conformance (PostgreSQL)")?;
    let target = cluster.create_database().await;
    Some(Opened { store: reopen(&target).await, target, _tmp: None })
}

/// Generates one test per (store, case).
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite_store {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $case() { if let Some(o) = super::sqlite().await { super::$case(o).await } } )*
        }
        mod postgres_store {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $case() { if let Some(o) = super::postgres().await { super::$case(o).await } } )*
        }
    };
}

conformance!(
    a_created_user_and_group_are_in_the_snapshot,
    a_users_profile_and_time_zone_survive_update_reopen_and_replace,
    adding_a_member_twice_and_removing_a_missing_one_change_nothing,
    names_are_unique_regardless_of_case,
    a_membership_needs_an_existing_user_and_group,
    one_apply_is_all_or_nothing,
    a_failing_writer_does_not_spoil_concurrent_ones,
    memberships_and_tokens_go_with_their_user_or_group,
    users_without_a_username_get_a_unique_generated_one,
    the_listener_sees_every_commit_in_order_before_the_writer_is_answered,
    an_import_loads_everything_and_a_second_import_changes_nothing,
    a_bad_import_record_is_named_and_nothing_is_imported,
    data_survives_reopening_the_store,
    closing_commits_the_queued_writes_then_refuses_more,
    updating_a_user_keeps_its_id_and_checks_uniqueness,
    replacing_everything_with_a_snapshot_restores_exactly_its_rows,
    an_audit_record_alone_is_committed_and_found_by_search,
    a_large_import_keeps_every_constraint,
    the_admin_group_precondition_fails_the_whole_call_after_its_deletions,
    concurrent_deletions_from_two_instances_leave_an_admin_group,
    a_deleted_id_is_never_handed_out_again,
    a_membership_record_is_written_only_when_the_membership_changed,
);

pub fn new_user(name: &str) -> NewUser {
    NewUser {
        account_id: format!("acc-{name}"),
        account_type: "atlassian".into(),
        username: Some(name.to_lowercase()),
        user_key: format!("key-{name}"),
        display_name: format!("{name} Tester"),
        email: format!("{name}@example.com"),
        active: true,
        password_hash: None,
        details: UserDetails::default(),
        created_ms: 1,
    }
}

pub fn new_group(name: &str) -> NewGroup {
    NewGroup { uuid: format!("uuid-{name}"), name: name.into(), created_ms: 1 }
}

pub async fn user(s: &dyn Store, name: &str) -> UserId {
    match s.apply(vec![Command::CreateUser(new_user(name))]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => u.id,
        other => panic!("unexpected {other:?}"),
    }
}

pub async fn group(s: &dyn Store, name: &str) -> GroupId {
    match s.apply(vec![Command::CreateGroup(new_group(name))]).await.unwrap().pop() {
        Some(Change::GroupCreated(g)) => g.id,
        other => panic!("unexpected {other:?}"),
    }
}

async fn a_created_user_and_group_are_in_the_snapshot(o: Opened) {
    let s = &*o.store;
    let (u, g) = (user(s, "Alice").await, group(s, "Devs").await);
    s.apply(vec![Command::AddMember { group: g, user: u }]).await.unwrap();
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.users.len(), 1);
    assert_eq!(&*snap.users[0].account_id, "acc-Alice");
    assert_eq!(snap.users[0].username.as_deref(), Some("alice"));
    assert_eq!(snap.groups.len(), 1);
    assert_eq!(&*snap.groups[0].name, "Devs");
    assert_eq!(snap.memberships, vec![(g, u)]);
}

async fn a_users_profile_and_time_zone_survive_update_reopen_and_replace(o: Opened) {
    let profile = UserDetails {
        position: "Engineer".into(),
        department: "R&D".into(),
        location: "Lisbon".into(),
        phone: "+351 1".into(),
        im: "ana@chat".into(),
        website: "https://ana.example".into(),
        time_zone: "Europe/Lisbon".into(),
    };
    let created =
        match o.store.apply(vec![Command::CreateUser(NewUser { details: profile.clone(), ..new_user("ana") })]).await {
            Ok(mut changes) => match changes.pop() {
                Some(Change::UserSaved(u)) => u,
                other => panic!("{other:?}"),
            },
            Err(e) => panic!("{e:?}"),
        };
    assert_eq!(created.details, profile);
    let mut moved = created.clone();
    moved.details.time_zone = "America/Argentina/Salta".into();
    o.store.apply(vec![Command::UpdateUser(moved.clone())]).await.unwrap();
    o.store.close().await;
    drop(o.store);
    let s = reopen(&o.target).await;
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.users[0].details, moved.details);
    // A restore writes every column back, the time zone included.
    let mut other = snap.clone();
    other.users[0].details.time_zone = "Etc/GMT+5".into();
    s.replace_all(other).await.unwrap();
    assert_eq!(s.snapshot().await.unwrap().users[0].details.time_zone, "Etc/GMT+5");
    s.replace_all(snap.clone()).await.unwrap();
    assert_eq!(s.snapshot().await.unwrap().users, snap.users);
}

async fn adding_a_member_twice_and_removing_a_missing_one_change_nothing(o: Opened) {
    let s = &*o.store;
    let (u, g) = (user(s, "Bob").await, group(s, "Ops").await);
    let add = || vec![Command::AddMember { group: g, user: u }];
    assert!(matches!(s.apply(add()).await.unwrap()[..], [Change::MemberAdded { .. }]));
    assert!(matches!(s.apply(add()).await.unwrap()[..], [Change::Unchanged]));
    let remove = || vec![Command::RemoveMember { group: g, user: u }];
    assert!(matches!(s.apply(remove()).await.unwrap()[..], [Change::MemberRemoved { .. }]));
    assert!(matches!(s.apply(remove()).await.unwrap()[..], [Change::Unchanged]));
    assert!(s.snapshot().await.unwrap().memberships.is_empty());
}

async fn names_are_unique_regardless_of_case(o: Opened) {
    let s = &*o.store;
    group(s, "Devs").await;
    let mut dup = new_group("DEVS");
    dup.uuid = "another".into();
    let e = s.apply(vec![Command::CreateGroup(dup)]).await.unwrap_err();
    assert!(matches!(e, Error::AlreadyExists { what: "group", .. }), "{e:?}");
    user(s, "carol").await;
    let mut same_email = new_user("x");
    same_email.email = "CAROL@example.com".into();
    let e = s.apply(vec![Command::CreateUser(same_email)]).await.unwrap_err();
    assert!(matches!(&e, Error::AlreadyExists { what: "user", key } if key.contains("email")), "{e:?}");
    let mut same_name = new_user("y");
    same_name.username = Some("CAROL".into());
    let e = s.apply(vec![Command::CreateUser(same_name)]).await.unwrap_err();
    assert!(matches!(&e, Error::AlreadyExists { what: "user", key } if key.contains("username")), "{e:?}");
}

async fn a_membership_needs_an_existing_user_and_group(o: Opened) {
    let s = &*o.store;
    let (u, g) = (user(s, "dave").await, group(s, "g").await);
    let e = s.apply(vec![Command::AddMember { group: g, user: UserId(u.0 + 1000) }]).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = s.apply(vec![Command::AddMember { group: GroupId(g.0 + 1000), user: u }]).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = s.apply(vec![Command::DeleteGroup(GroupId(g.0 + 1000))]).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
}

async fn one_apply_is_all_or_nothing(o: Opened) {
    let s = &*o.store;
    let e = s
        .apply(vec![
            Command::CreateGroup(new_group("first")),
            Command::CreateUser(new_user("erin")),
            Command::CreateGroup(NewGroup { uuid: "other".into(), ..new_group("FIRST") }),
        ])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AlreadyExists { .. }), "{e:?}");
    let snap = s.snapshot().await.unwrap();
    assert!(snap.groups.is_empty() && snap.users.is_empty(), "{snap:?}");
}

async fn a_failing_writer_does_not_spoil_concurrent_ones(o: Opened) {
    let s = o.store.clone();
    let g = group(&*s, "crowd").await;
    let users: Vec<UserId> = {
        let cmds = (0..60).map(|i| Command::CreateUser(new_user(&format!("u{i}")))).collect();
        s.apply(cmds)
            .await
            .unwrap()
            .into_iter()
            .map(|c| match c {
                Change::UserSaved(u) => u.id,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    // Every third writer also adds a member that does not exist: it must
    // fail alone, whichever batch it lands in.
    let tasks: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, &u)| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut cmds = vec![Command::AddMember { group: g, user: u }];
                if i % 3 == 0 {
                    cmds.push(Command::AddMember { group: g, user: UserId(999_999) });
                }
                (i, s.apply(cmds).await)
            })
        })
        .collect();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        assert_eq!(r.is_err(), i % 3 == 0, "writer {i}: {r:?}");
    }
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.memberships.len(), 40);
}

async fn memberships_and_tokens_go_with_their_user_or_group(o: Opened) {
    let s = &*o.store;
    let (u, v) = (user(s, "fay").await, user(s, "gus").await);
    let (g, h) = (group(s, "one").await, group(s, "two").await);
    s.apply(vec![
        Command::AddMember { group: g, user: u },
        Command::AddMember { group: h, user: u },
        Command::AddMember { group: g, user: v },
        Command::AddToken { user: u, hash: [7; 32], label: "t".into(), created_ms: 1 },
    ])
    .await
    .unwrap();
    s.apply(vec![Command::DeleteGroup(h)]).await.unwrap();
    assert_eq!(s.snapshot().await.unwrap().memberships.len(), 2);
    assert!(matches!(s.apply(vec![Command::DeleteUser(u)]).await.unwrap()[..], [Change::UserDeleted(_)]));
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.memberships, vec![(g, v)]);
    assert!(snap.tokens.is_empty());
    assert_eq!(snap.users.len(), 1);
}

async fn users_without_a_username_get_a_unique_generated_one(o: Opened) {
    let s = &*o.store;
    let mut names = Vec::new();
    for i in 0..3 {
        let mut u = new_user(&format!("h{i}"));
        u.username = None;
        u.email = if i == 0 { "Jane.Doe@example.com".into() } else { format!("jane.doe@x{i}.example.com") };
        match s.apply(vec![Command::CreateUser(u)]).await {
            Ok(mut c) => match c.pop() {
                Some(Change::UserSaved(u)) => names.push(u.username.unwrap().to_string()),
                other => panic!("{other:?}"),
            },
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(names, ["jane.doe", "jane.doe2", "jane.doe3"]);
}

#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Change>>);

impl CommitListener for Recorder {
    fn committed(&self, changes: &[Change]) {
        self.0.lock().unwrap().extend(changes.iter().filter(|c| !matches!(c, Change::Unchanged)).cloned());
    }
}

async fn the_listener_sees_every_commit_in_order_before_the_writer_is_answered(o: Opened) {
    let s = o.store.clone();
    s.snapshot().await.unwrap();
    let rec = Arc::new(Recorder::default());
    s.set_listener(rec.clone());
    let (u, g) = (user(&*s, "ian").await, group(&*s, "seen").await);
    for i in 0..20 {
        let cmd = if i % 2 == 0 {
            Command::AddMember { group: g, user: u }
        } else {
            Command::RemoveMember { group: g, user: u }
        };
        s.apply(vec![cmd]).await.unwrap();
        // Read-your-writes: the listener already has this commit.
        let last = rec.0.lock().unwrap().last().cloned();
        match (i % 2, last) {
            (0, Some(Change::MemberAdded { .. })) | (1, Some(Change::MemberRemoved { .. })) => {}
            (_, other) => panic!("step {i}: listener's last change is {other:?}"),
        }
    }
    assert_eq!(rec.0.lock().unwrap().len(), 22);
}

async fn data_survives_reopening_the_store(o: Opened) {
    let (u, g) = (user(&*o.store, "jo").await, group(&*o.store, "kept").await);
    o.store.apply(vec![Command::AddMember { group: g, user: u }]).await.unwrap();
    o.store.close().await;
    drop(o.store);
    let s = reopen(&o.target).await;
    let snap = s.snapshot().await.unwrap();
    assert_eq!(snap.memberships, vec![(g, u)]);
    // Ids keep growing after a restart; nothing is reused.
    assert!(user(&*s, "kim").await.0 > u.0);
}

async fn closing_commits_the_queued_writes_then_refuses_more(o: Opened) {
    let s = &*o.store;
    let (u, g) = (user(s, "queued").await, group(s, "queued").await);
    // join! polls in order: the write is queued before the close.
    let (written, ()) = tokio::join!(s.apply(vec![Command::AddMember { group: g, user: u }]), s.close());
    assert!(written.is_ok(), "{written:?}");
    s.close().await;
    assert!(s.apply(vec![Command::CreateGroup(new_group("late"))]).await.is_err());
    drop(o.store);
    let again = reopen(&o.target).await;
    assert_eq!(again.snapshot().await.unwrap().memberships, vec![(g, u)]);
}

async fn updating_a_user_keeps_its_id_and_checks_uniqueness(o: Opened) {
    let s = &*o.store;
    user(s, "lee").await;
    let saved = match s.apply(vec![Command::CreateUser(new_user("max"))]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => u,
        other => panic!("{other:?}"),
    };
    let mut renamed = saved.clone();
    renamed.display_name = "Max Renamed".into();
    renamed.updated_ms = 5;
    match s.apply(vec![Command::UpdateUser(renamed)]).await.unwrap().pop() {
        Some(Change::UserSaved(u)) => assert_eq!((u.id, &*u.display_name, u.updated_ms), (saved.id, "Max Renamed", 5)),
        other => panic!("{other:?}"),
    }
    let mut clash = saved;
    clash.email = "LEE@example.com".into();
    let e = s.apply(vec![Command::UpdateUser(clash)]).await.unwrap_err();
    assert!(matches!(e, Error::AlreadyExists { .. }), "{e:?}");
}

async fn an_audit_record_alone_is_committed_and_found_by_search(o: Opened) {
    let s = &*o.store;
    let record = |target: &str, at_ms| AuditRecord {
        at_ms,
        actor: "anonymous".into(),
        action: "auth.refused".into(),
        target_kind: "login".into(),
        target: target.into(),
        outcome: "denied".into(),
        ..AuditRecord::default()
    };
    let changes = s.apply(vec![Command::Audit(record("Victim@Example.com", 10))]).await.unwrap();
    assert!(matches!(changes[..], [Change::Unchanged]));
    s.apply(vec![Command::Audit(record("other", 20))]).await.unwrap();
    let page =
        s.audit(AuditQuery { search: Some("victim@".into()), limit: 10, ..AuditQuery::default() }).await.unwrap();
    assert_eq!(page.records.len(), 1, "search ignores case: {page:?}");
    assert_eq!(page.records[0].target, "Victim@Example.com");
    let page = s.audit(AuditQuery { limit: 1, ..AuditQuery::default() }).await.unwrap();
    assert_eq!((page.records[0].target.as_str(), page.has_more), ("other", true), "newest first");
}
