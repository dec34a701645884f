//! Rules the store keeps, not the handlers: two admins deleting the two
//! admin groups at the same moment (through two dialects, or through two
//! instances over one PostgreSQL database) never leave the site without an
//! admin group; concurrent Extender `addUsers`/`removeUsers` calls report
//! each user as added or removed by exactly one of them, and the audit log
//! holds one record per change.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use roster_core::audit::AuditQuery;
use roster_core::UserId;
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::helpers::{enc, Api, Resp, TestApp};

const ADMIN_GROUPS: [&str; 2] = ["site-admins", "confluence-administrators"];

#[derive(Clone, Copy, Debug)]
enum Dialect {
    Cloud,
    Dc,
    Extender,
}

async fn delete_group(api: &Api, via: Dialect, name: &str) -> Resp {
    match via {
        Dialect::Cloud => api.delete(&format!("/wiki/rest/api/group?name={}", enc(name))).await,
        Dialect::Dc => api.delete(&format!("/rest/api/admin/group/{}", enc(name))).await,
        Dialect::Extender => {
            api.send(Method::POST, "/rest/extender/1.0/group/removeGroups", Some(&json!({ "groups": [name] }))).await
        }
    }
}

fn admin_id(app: &TestApp) -> UserId {
    app.view().user_by_username("admin").unwrap().user.id
}

/// Both admin groups exist and the admin is in both (so whichever one a
/// round leaves, the admin is still an admin).
async fn restore_admin_groups(app: &TestApp) {
    let admin = admin_id(app);
    for name in ADMIN_GROUPS {
        if !app.view().group_name_taken(name) {
            app.system().create_group(name).await.unwrap();
        }
        let gid = app.view().group_by_name(name).unwrap().group.id;
        app.system().add_member(gid, admin).await.unwrap();
    }
}

/// The admin groups `app`'s model shows (lower case, sorted).
fn admin_groups(app: &TestApp) -> Vec<&'static str> {
    let m = app.view();
    ADMIN_GROUPS.iter().copied().filter(|n| m.group_name_taken(n)).collect()
}

/// Deletes one admin group through `one` and the other through `two` at the
/// same moment; checks exactly one deletion succeeded and a refusal is the
/// last-admin-group 400. Returns the group deleted.
async fn race(round: usize, one: (Api, Dialect), two: (Api, Dialect)) -> &'static str {
    let start = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = [(one, ADMIN_GROUPS[0]), (two, ADMIN_GROUPS[1])]
        .into_iter()
        .map(|((api, via), name)| {
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                (name, via, delete_group(&api, via, name).await)
            })
        })
        .collect();
    let mut deleted = Vec::new();
    for t in tasks {
        let (name, via, r) = t.await.unwrap();
        if r.status.is_success() {
            deleted.push(name);
        } else {
            assert_eq!(r.status, 400, "round {round}, {via:?} delete of {name}: {}", r.text);
            assert!(r.text.contains("cannot remove the last site-admin group"), "round {round}: {}", r.text);
        }
    }
    assert_eq!(deleted.len(), 1, "round {round}: exactly one admin group may go, deleted {deleted:?}");
    deleted[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deletes_of_the_two_admin_groups_through_two_dialects_never_remove_both() {
    let app = TestApp::spawn().await;
    let pairs = [
        (Dialect::Cloud, Dialect::Dc),
        (Dialect::Dc, Dialect::Extender),
        (Dialect::Extender, Dialect::Cloud),
        (Dialect::Cloud, Dialect::Cloud),
    ];
    for round in 0..20 {
        restore_admin_groups(&app).await;
        let (a, b) = pairs[round % pairs.len()];
        let gone = race(round, (app.admin(), a), (app.admin(), b)).await;
        let left = admin_groups(&app);
        assert_eq!(left.len(), 1, "round {round}: {left:?}");
        assert!(!left.contains(&gone), "round {round}");
        // Still an admin: an admin-only read answers.
        let r = app.admin().get("/wiki/rest/api/audit?limit=1").await;
        assert_eq!(r.status, 200, "round {round}: {}", r.text);
    }
}

/// Polls (up to `within`) until `check` holds on `app`'s model.
async fn until(app: &TestApp, within: Duration, what: &str, check: impl Fn(&TestApp) -> bool) {
    let deadline = Instant::now() + within;
    while !check(app) {
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_deleting_the_two_admin_groups_at_once_leave_one() {
    let Some(cluster) = roster_testpg::cluster("the two-instance admin-group race") else { return };
    let url = cluster.create_database().await;
    let mut apps = Vec::new();
    for _ in 0..2 {
        apps.push(TestApp::spawn_on(tempfile::TempDir::new().unwrap(), url.clone(), Default::default()).await);
    }
    let within = Duration::from_secs(5);
    let dialects = [Dialect::Cloud, Dialect::Dc, Dialect::Extender];
    for round in 0..10 {
        restore_admin_groups(&apps[0]).await;
        // Both instances must see both groups, the admin in each, so that
        // both handlers' own checks pass and only the store can refuse.
        for app in &apps {
            until(app, within, "both admin groups with the admin in each", |app| {
                let m = app.view();
                let Some(admin) = m.user_by_username("admin").ok() else { return false };
                ADMIN_GROUPS
                    .iter()
                    .all(|n| m.group_by_name(n).is_ok_and(|g| g.members.contains(admin.user.id.0 as u32)))
            })
            .await;
        }
        let via = dialects[round % dialects.len()];
        let gone = race(round, (apps[0].admin(), via), (apps[1].admin(), via)).await;
        for app in &apps {
            until(app, within, "one admin group left", |app| admin_groups(app).len() == 1).await;
            assert!(!admin_groups(app).contains(&gone), "round {round}");
            let r = app.admin().get("/wiki/rest/api/audit?limit=1").await;
            assert_eq!(r.status, 200, "round {round}: {}", r.text);
        }
    }
}

/// Sends `path` with `{"users": names}` from `clients` concurrently and
/// returns how often each name was reported under `key`.
async fn concurrent_bulk(clients: &[Api], path: &str, names: &[String], key: &str) -> HashMap<String, usize> {
    let start = Arc::new(Barrier::new(clients.len()));
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, api)| {
            let (api, start, path) = (api.clone(), start.clone(), path.to_string());
            // Each client lists the users in its own order.
            let mut list = names.to_vec();
            list.rotate_left(i * names.len() / clients.len());
            tokio::spawn(async move {
                start.wait().await;
                api.send(Method::POST, &path, Some(&json!({ "users": list }))).await
            })
        })
        .collect();
    let mut counts = HashMap::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text);
        for n in r.body[key].as_array().unwrap_or(&Vec::new()).iter().filter_map(Value::as_str) {
            *counts.entry(n.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_extender_add_users_report_each_user_added_by_exactly_one_call() {
    let app = TestApp::spawn().await;
    app.group("crowd").await;
    let names: Vec<String> = {
        let accounts = app.users("Crowd", 30).await;
        let m = app.view();
        accounts.iter().map(|a| m.user_by_account(a).unwrap().user.username.as_deref().unwrap().to_string()).collect()
    };
    let clients: Vec<Api> = (0..4).map(|_| app.admin()).collect();
    for round in 0..10 {
        for (path, key, want) in [("addUsers", "usersAdded", 30), ("removeUsers", "usersRemoved", 0)] {
            let counts =
                concurrent_bulk(&clients, &format!("/rest/extender/1.0/group/{path}/crowd"), &names, key).await;
            let twice: Vec<_> = counts.iter().filter(|(_, &n)| n > 1).collect();
            assert!(twice.is_empty(), "round {round}: {path} reported these more than once: {twice:?}");
            // Every user's membership changed once, so someone reported it.
            assert_eq!(counts.len(), 30, "round {round}: {path} reported {} of 30 users", counts.len());
            assert_eq!(app.member_count("crowd"), want, "round {round}");
        }
    }
    // The audit log agrees: one record per membership change, written by
    // the call that made it (not one per call that meant to).
    let query = AuditQuery { search: Some("crowd".into()), limit: 10_000, ..AuditQuery::default() };
    let page = app.system().audit_log(query).await.unwrap();
    let mut per_change: HashMap<(String, String), usize> = HashMap::new();
    for r in page.records.iter().filter(|r| r.action.starts_with("member.") && r.target_name == "crowd") {
        *per_change.entry((r.action.clone(), r.object.clone())).or_insert(0) += 1;
    }
    assert_eq!(per_change.len(), 60, "an add and a remove record for each of 30 users: {per_change:?}");
    let wrong: Vec<_> = per_change.iter().filter(|(_, &n)| n != 10).collect();
    let some: Vec<_> = wrong.iter().take(3).collect();
    assert!(wrong.is_empty(), "10 rounds, so 10 records each; {} differ, e.g. {some:?}", wrong.len());
}
