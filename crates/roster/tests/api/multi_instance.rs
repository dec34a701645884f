//! Several roster instances over one PostgreSQL database: every instance
//! serves every other's writes within a second, in commit order, and
//! concurrent writes through different instances leave exactly the
//! database's truth everywhere. Needs PostgreSQL (a throwaway cluster, see
//! roster-testpg): skipped loudly without it, failing under CI.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{enc, Api, TestApp};

const API: &str = "/wiki/rest/api";

/// Three servers over one fresh database, or `None` without PostgreSQL.
async fn three_instances(test: &str) -> Option<(Vec<TestApp>, String)> {
    let cluster = roster_testpg::cluster(test)?;
    let url = cluster.create_database().await;
    let mut apps = Vec::new();
    for _ in 0..3 {
        let tmp = tempfile::TempDir::new().unwrap();
        apps.push(TestApp::spawn_on(tmp, url.clone(), Default::default()).await);
    }
    Some((apps, url))
}

async fn sql_count(url: &str, sql: &str) -> i64 {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// Account ids of `group`'s members as one instance serves them.
async fn members(api: &Api, group: &str) -> Vec<String> {
    let r = api.get(&format!("{API}/group/member?name={group}&limit=200")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap().to_string()).collect()
}

/// Waits (at most `within`) until every instance serves `want` members of
/// `group`, none twice.
async fn expect_members_everywhere(apps: &[TestApp], group: &str, want: usize, within: Duration) {
    let deadline = Instant::now() + within;
    for (i, app) in apps.iter().enumerate() {
        loop {
            let mut got = members(&app.admin(), group).await;
            let n = got.len();
            got.sort();
            got.dedup();
            assert_eq!(got.len(), n, "instance {i} lists a member twice");
            if n == want {
                break;
            }
            assert!(Instant::now() < deadline, "instance {i} shows {n} members of {group}, expected {want}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_add_and_remove_a_hundred_members_in_parallel_twenty_times() {
    let Some((apps, url)) = three_instances("the three-instance test").await else { return };
    assert_eq!(apps[1].admin().post(&format!("{API}/group"), json!({"name": "crowd"})).await.status, 201);
    let accounts = apps[0].users("Crowd Member", 100).await;
    expect_members_everywhere(&apps, "crowd", 0, Duration::from_secs(1)).await;
    // The users created through instance 0 reach the others too.
    let deadline = Instant::now() + Duration::from_secs(1);
    for app in &apps {
        while app.view().user_count() < 101 {
            assert!(Instant::now() < deadline, "users did not reach every instance within 1 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let clients: Vec<Api> = apps.iter().map(|a| a.admin()).collect();
    for round in 0..20 {
        for (adding, want) in [(true, 100), (false, 0)] {
            let mut tasks = JoinSet::new();
            for (i, acc) in accounts.iter().enumerate() {
                let api = clients[i % 3].clone();
                let acc = acc.clone();
                tasks.spawn(async move {
                    if adding {
                        api.post(&format!("{API}/group/user?name=crowd"), json!({ "accountId": acc })).await
                    } else {
                        api.delete(&format!("{API}/group/user?name=crowd&accountId={}", enc(&acc))).await
                    }
                });
            }
            while let Some(r) = tasks.join_next().await {
                let r = r.unwrap();
                let ok = if adding { 201 } else { 204 };
                assert_eq!(r.status.as_u16(), ok, "round {round}, adding {adding}: {}", r.text);
            }
            expect_members_everywhere(&apps, "crowd", want, Duration::from_secs(1)).await;
            let rows = sql_count(
                &url,
                "select count(*) from memberships m join groups g on g.id = m.group_id where g.name = 'crowd'",
            )
            .await;
            assert_eq!(rows, want as i64, "round {round}: rows in the database");
        }
    }
    let dup = sql_count(
        &url,
        "select count(*) from (select group_id, user_id from memberships group by 1, 2 having count(*) > 1) d",
    )
    .await;
    assert_eq!(dup, 0, "duplicate membership rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_through_one_instance_is_served_by_every_other_within_a_second() {
    let Some((apps, _)) = three_instances("the three-instance visibility test").await else { return };
    for (k, writer) in apps.iter().enumerate() {
        let name = format!("seen-from-{k}");
        let started = Instant::now();
        let r = writer.admin().post(&format!("{API}/group"), json!({ "name": name })).await;
        assert_eq!(r.status, 201, "{}", r.text);
        // Read-your-writes on the writing instance: no waiting at all.
        assert_eq!(writer.admin().get(&format!("{API}/group/{name}")).await.status, 200);
        for (i, other) in apps.iter().enumerate() {
            loop {
                if other.admin().get(&format!("{API}/group/{name}")).await.status == 200 {
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(1), "instance {i} did not see {name} within 1 s");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conflicting_adds_and_removes_through_different_instances_converge_on_the_database() {
    let Some((apps, url)) = three_instances("the three-instance convergence test").await else { return };
    apps[0].group("contested").await;
    let accounts = apps[0].users("Contender", 10).await;
    // Every instance knows the group and its contenders before they write.
    let users = apps[0].view().user_count();
    let deadline = Instant::now() + Duration::from_secs(1);
    for (i, app) in apps.iter().enumerate() {
        loop {
            let has_users = app.view().user_count() >= users;
            if has_users && app.admin().get(&format!("{API}/group/contested")).await.status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "the group and users did not reach instance {i} within 1 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let mut tasks = JoinSet::new();
    for step in 0..300 {
        let api = apps[step % 3].admin();
        let acc = accounts[step % accounts.len()].clone();
        tasks.spawn(async move {
            if step % 2 == 0 {
                api.post(&format!("{API}/group/user?name=contested"), json!({ "accountId": acc })).await
            } else {
                api.delete(&format!("{API}/group/user?name=contested&accountId={}", enc(&acc))).await
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        let r = r.unwrap();
        assert!(r.status.as_u16() < 500, "{}", r.text);
    }
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let mut truth: Vec<String> = client
        .query(
            "select u.account_id from memberships m join groups g on g.id = m.group_id \
             join users u on u.id = m.user_id where g.name = 'contested'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    truth.sort();
    expect_members_everywhere(&apps, "contested", truth.len(), Duration::from_secs(1)).await;
    for (i, app) in apps.iter().enumerate() {
        let mut served = members(&app.admin(), "contested").await;
        served.sort();
        assert_eq!(served, truth, "instance {i} disagrees with the database");
    }
}
