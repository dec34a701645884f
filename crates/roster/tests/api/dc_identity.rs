//! Every user has a DC username and user key and a Cloud account id:
//! imports that give only some get the rest generated, re-imports change
//! nothing, and rows stored without a username are given one at start-up.

use crate::helpers::TestApp;

async fn run(db: &str, args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["roster".to_string(), "--db".into(), db.to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

fn usernames(db: &str) -> Vec<(String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("select account_id, username, user_key from users order by id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn imported_users_without_a_username_get_one_and_reimports_keep_it() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("ids.db").to_string_lossy().into_owned();
    let file = tmp.path().join("users.jsonl");
    let lines = [
        r#"{"kind":"user","accountId":"acc-1","displayName":"Ann Lee","email":"Ann.Lee@example.com"}"#,
        r#"{"kind":"user","accountId":"acc-2","displayName":"Ann Lee","email":"ann.lee@other.org"}"#,
        r#"{"kind":"user","accountId":"acc-3","displayName":"Bob","email":"bob@example.com","username":"ann.lee3"}"#,
        r#"{"kind":"user","accountId":"acc-4","displayName":"Deploy Bot","email":"","accountType":"app","userKey":"JIRAUSER10400"}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let f = file.to_string_lossy().into_owned();
    run(&db, &["import", &f]).await.unwrap();
    let first = usernames(&db);
    let names: Vec<Option<&str>> = first.iter().map(|(_, u, _)| u.as_deref()).collect();
    assert_eq!(names, vec![Some("ann.lee"), Some("ann.lee2"), Some("ann.lee3"), Some("deploy.bot")]);
    assert_eq!(first[3].2, "JIRAUSER10400", "a given user key is kept");
    assert_eq!(first[0].2.len(), 32, "a missing user key is generated");

    let out = run(&db, &["import", &f]).await.unwrap();
    assert!(out.contains("0 users added, 0 users updated") && out.contains("4 records unchanged"), "{out}");
    assert_eq!(usernames(&db), first, "a re-import renames nobody");

    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/rest/api/user?username=ann.lee2").await;
    assert_eq!(r.body["userKey"], first[1].2.as_str(), "{}", r.text);
    let r = app.admin().get("/rest/extender/1.0/user/getUserDetails/deploy.bot").await;
    assert_eq!(r.body["key"], "JIRAUSER10400");
}

#[tokio::test]
async fn rows_stored_without_a_username_are_given_one_at_start_up_once() {
    if roster_testpg::requested() {
        eprintln!("SKIPPED on PostgreSQL: this case edits the SQLite file directly");
        return;
    }
    let app = TestApp::spawn().await;
    app.plain_user("ann").await;
    app.plain_user("ann.x").await;
    app.plain_user("bob").await;
    let (tmp, db) = app.stop().await;
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let n = conn
            .execute("update users set username = null, username_lower = null where email like 'ann%'", [])
            .unwrap();
        assert_eq!(n, 2);
        conn.execute("update users set username = 'ann', username_lower = 'ann' where username = 'bob'", []).unwrap();
    }
    let app = TestApp::spawn_on(tmp, db.clone(), Default::default()).await;
    let (tmp, db) = app.stop().await;
    let after = usernames(&db);
    let names: Vec<&str> = after.iter().map(|(_, u, _)| u.as_deref().unwrap()).collect();
    assert_eq!(names, vec!["admin", "ann2", "ann.x", "ann"]);
    let app = TestApp::spawn_on(tmp, db.clone(), Default::default()).await;
    let (_tmp, db) = app.stop().await;
    assert_eq!(usernames(&db), after, "stable across restarts");
}
