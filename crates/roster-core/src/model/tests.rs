use super::*;
use crate::actor::Actor;
use crate::types::UserDetails;

fn user(id: i64, account: &str, username: Option<&str>) -> User {
    User {
        id: UserId(id),
        account_id: account.into(),
        account_type: "atlassian".into(),
        username: username.map(Into::into),
        user_key: format!("key{id}").into(),
        display_name: format!("User {id}").into(),
        email: format!("u{id}@example.com").into(),
        active: true,
        password_hash: None,
        details: UserDetails::default(),
        created_ms: 0,
        updated_ms: 0,
        last_login_ms: None,
        last_failed_login_ms: None,
    }
}

fn group(id: i64, name: &str) -> Group {
    Group { id: GroupId(id), uuid: format!("uuid-{id}").into(), name: name.into(), created_ms: 0 }
}

fn sample() -> Model {
    let snapshot = Snapshot {
        users: vec![user(1, "acc1", Some("alice")), user(2, "acc2", None), user(3, "acc3", None)],
        groups: vec![group(1, "confluence-users"), group(2, "site-admins"), group(3, "Team A")],
        memberships: vec![
            (GroupId(1), UserId(1)),
            (GroupId(1), UserId(2)),
            (GroupId(2), UserId(1)),
            (GroupId(3), UserId(2)),
        ],
        tokens: vec![],
    };
    Model::build(snapshot, Policy::default(), no_pieces)
}

#[test]
fn lookups_are_case_insensitive_for_names_and_exact_for_account_ids() {
    let m = sample();
    assert_eq!(m.group_by_name("team a").unwrap().group.id, GroupId(3));
    assert_eq!(m.user_by_username("ALICE").unwrap().user.id, UserId(1));
    assert!(m.user_by_account("ACC1").is_err());
    assert_eq!(m.user_by_email("U2@EXAMPLE.COM").unwrap().user.id, UserId(2));
}

#[test]
fn permissions_follow_group_membership() {
    let m = sample();
    assert!(m.require_admin(&Actor::User(UserId(1))).is_ok());
    assert!(m.require_read(&Actor::User(UserId(2))).is_ok());
    assert!(matches!(m.require_admin(&Actor::User(UserId(2))), Err(Error::Forbidden(_))));
    assert!(matches!(m.require_read(&Actor::User(UserId(3))), Err(Error::Forbidden(_))));
    assert!(matches!(m.require_read(&Actor::Anonymous), Err(Error::Unauthenticated)));
}

#[test]
fn deleting_a_group_removes_it_from_its_members() {
    let mut m = sample();
    m.apply(&[Change::GroupDeleted(GroupId(2))]);
    assert!(m.group_by_name("site-admins").is_err());
    assert_eq!(m.user(UserId(1)).unwrap().groups.iter().collect::<Vec<_>>(), [GroupId(1)]);
    assert!(m.require_admin(&Actor::User(UserId(1))).is_err());
}

#[test]
fn membership_changes_update_both_directions() {
    let mut m = sample();
    m.apply(&[Change::MemberAdded { group: GroupId(3), user: UserId(3) }]);
    assert!(m.group(GroupId(3)).unwrap().members.contains(3));
    assert_eq!(m.user(UserId(3)).unwrap().groups.iter().collect::<Vec<_>>(), [GroupId(3)]);
    m.apply(&[Change::MemberRemoved { group: GroupId(3), user: UserId(3) }]);
    assert!(!m.group(GroupId(3)).unwrap().members.contains(3));
    assert!(m.user(UserId(3)).unwrap().groups.is_empty());
}

#[test]
fn groups_of_a_user_are_ordered_by_name() {
    let m = sample();
    let u = m.user(UserId(2)).unwrap();
    let names: Vec<&str> = m.groups_of(u).iter().map(|g| &*g.group.name).collect();
    assert_eq!(names, vec!["confluence-users", "Team A"]);
}

#[test]
fn groups_of_a_user_follow_name_order_as_groups_come_and_go() {
    let mut m = sample();
    let names = ["Zeta", "alpha-2", "ALPHA-1", "Éclair", "eclair-b", "ΣΑΣ", "_x", "[y"];
    for (i, n) in names.iter().enumerate() {
        let id = 10 + i as i64;
        m.apply(&[Change::GroupCreated(group(id, n)), Change::MemberAdded { group: GroupId(id), user: UserId(3) }]);
    }
    let order = |m: &Model| -> Vec<String> {
        m.groups_of(m.user(UserId(3)).unwrap()).iter().map(|g| g.group.name.to_string()).collect()
    };
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort_by_key(|n| fold(n));
    assert_eq!(order(&m), want);
    m.apply(&[Change::GroupDeleted(GroupId(10))]);
    want.retain(|n| n != "Zeta");
    assert_eq!(order(&m), want);
}

#[test]
fn a_user_entry_holds_its_groups_then_its_pieces_on_its_first_three_cache_lines() {
    use std::mem::{align_of, offset_of, size_of};
    assert_eq!(align_of::<UserEntry>(), 64);
    assert_eq!(size_of::<Option<UserEntry>>(), size_of::<UserEntry>(), "an empty slot costs no tag");
    assert_eq!((offset_of!(UserEntry, groups), size_of::<GroupList>()), (0, 64));
    assert_eq!(offset_of!(UserEntry, pieces), 64);
    assert_eq!(align_of::<GroupEntry>(), 64);
    assert_eq!(size_of::<Option<GroupEntry>>(), size_of::<GroupEntry>(), "an empty group slot costs no tag");
    assert_eq!(offset_of!(GroupEntry, rendered), 8);
}

#[test]
fn name_searches_follow_renames_deletions_and_reloads() {
    let mut m = sample();
    let named = |m: &Model, q: &str| m.users_named(&[q]).iter_from(0).collect::<Vec<_>>();
    assert_eq!(named(&m, "us"), vec![1, 2, 3], "every sample user is `User n`");
    let mut renamed = user(2, "acc2", None);
    renamed.display_name = "Grace Hopper".into();
    m.apply(&[Change::UserSaved(renamed)]);
    assert_eq!(named(&m, "us"), vec![1, 3]);
    assert_eq!(named(&m, "hop"), vec![2]);
    m.apply(&[Change::UserDeleted(UserId(2))]);
    assert!(named(&m, "grace").is_empty());
    m.apply(&[Change::Reloaded(Box::new(Snapshot {
        users: vec![user(7, "acc7", None)],
        groups: vec![],
        memberships: vec![],
        tokens: vec![],
    }))]);
    assert_eq!(named(&m, "user 7"), vec![7]);
    assert!(named(&m, "user 1").is_empty());
}
