//! Concurrency on one group: 100 parallel adds of distinct users, then 100
//! parallel removes, 50 times over. Every count exact, no 5xx (Keycloak's
//! testAddRemoveUsersInTheSameGroupConcurrent, over HTTP).

use serde_json::json;

use crate::helpers::TestApp;

const USERS: usize = 100;
const ROUNDS: usize = 50;

async fn join_all(tasks: Vec<tokio::task::JoinHandle<u16>>) -> Vec<u16> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_adds_and_removes_on_one_group_leave_exact_counts() {
    let app = TestApp::spawn().await;
    let gid = app.group("busy").await;
    let users = app.users("busy", USERS).await;
    let admin = app.admin();
    let count = |admin: crate::helpers::Api| {
        let gid = gid.clone();
        async move {
            let r = admin
                .get(&format!("/wiki/rest/api/group/{gid}/membersByGroupId?limit=1&shouldReturnTotalSize=true"))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["totalSize"].as_u64().unwrap() as usize
        }
    };
    for round in 0..ROUNDS {
        let adds = users.iter().map(|u| {
            let (admin, u) = (admin.clone(), u.clone());
            let path = format!("/wiki/rest/api/group/userByGroupId?groupId={gid}");
            tokio::spawn(async move { admin.post(&path, json!({ "accountId": u })).await.status.as_u16() })
        });
        let statuses = join_all(adds.collect()).await;
        assert!(statuses.iter().all(|s| *s == 201), "round {round} adds: {statuses:?}");
        assert_eq!(count(admin.clone()).await, USERS, "round {round} after adds");
        assert_eq!(app.member_count("busy"), USERS);
        let removes = users.iter().map(|u| {
            let admin = admin.clone();
            let path = format!("/wiki/rest/api/group/userByGroupId?groupId={gid}&accountId={u}");
            tokio::spawn(async move { admin.delete(&path).await.status.as_u16() })
        });
        let statuses = join_all(removes.collect()).await;
        assert!(statuses.iter().all(|s| *s == 204), "round {round} removes: {statuses:?}");
        assert_eq!(count(admin.clone()).await, 0, "round {round} after removes");
    }
}
