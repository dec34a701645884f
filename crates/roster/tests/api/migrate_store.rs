//! `roster migrate-store`: a SQLite store moved to PostgreSQL keeps every
//! user, group, membership and token (the same token still signs in), and
//! a non-empty target is refused. Needs PostgreSQL (see roster-testpg).

use crate::helpers::{basic, TestApp};

async fn run(args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["roster".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_store_moves_to_postgresql_with_its_ids_and_tokens() {
    let Some(cluster) = roster_testpg::cluster("the migrate-store test") else { return };
    let tmp = tempfile::TempDir::new().unwrap();
    let sqlite = tmp.path().join("old.db").to_string_lossy().into_owned();
    let app = TestApp::spawn_on(tmp, sqlite.clone(), Default::default()).await;
    let (acc, api) = app.user("mover", &["confluence-users", "Movers"]).await;
    let accounts = app.users("Bulk Mover", 30).await;
    app.add_members("Movers", &accounts[..20]).await;
    let group_id = app.view().group_by_name("movers").unwrap().group.uuid.to_string();
    assert_eq!(api.get("/wiki/rest/api/user/current").await.status, 200);
    let (tmp, _) = app.stop().await;
    let token = run(&["--db", &sqlite, "token", "create", "mover"]).await.unwrap().trim().to_string();

    let pg = cluster.create_database().await;
    let out = run(&["migrate-store", "--from", &sqlite, "--to", &pg]).await.unwrap();
    assert!(out.contains("migrated 32 users, 3 groups, 24 memberships and 3 tokens"), "{out}");

    let app = TestApp::spawn_on(tmp, pg.clone(), Default::default()).await;
    assert_eq!(app.member_count("Movers"), 21);
    let r = app.admin().get(&format!("/wiki/rest/api/group/by-id?id={group_id}")).await;
    assert_eq!(r.body["name"], "Movers", "public ids are kept: {}", r.text);
    // The token issued on SQLite signs in on PostgreSQL.
    let r = app.with_auth(&basic("mover@example.com", &token)).get("/wiki/rest/api/user/current").await;
    assert_eq!(r.body["accountId"], acc.as_str(), "{}", r.text);
    // New rows get ids past the migrated ones.
    app.group("after-the-move").await;
    let (new_acc, _) = app.plain_user("newcomer").await;
    assert!(!accounts.contains(&new_acc));

    // A second migration into the now non-empty database is refused.
    let err = run(&["migrate-store", "--from", &sqlite, "--to", &pg]).await.unwrap_err();
    assert!(err.contains("not empty"), "{err}");
    let err = run(&["migrate-store", "--from", "/nonexistent/x.db", "--to", &pg]).await.unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
}
