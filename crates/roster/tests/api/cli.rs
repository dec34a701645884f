//! The command line, run in-process against a real store file.

use crate::helpers::{basic, new_store, TestApp};

pub(crate) async fn run(db: &str, args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["roster".to_string(), "--db".into(), db.to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

#[tokio::test]
async fn users_groups_members_and_tokens_are_managed_without_a_server() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = crate::helpers::fresh_db(&tmp, "cli.db").await;
    new_store(&db).await;
    run(&db, &["group", "create", "confluence-users"]).await.unwrap();
    let out =
        run(&db, &["user", "create", "--display-name", "Cli User", "--email", "cli@example.com", "--username", "cli"])
            .await
            .unwrap();
    assert!(out.contains("created user"), "{out}");
    run(&db, &["group", "create", "Ops Team"]).await.unwrap();
    assert_eq!(run(&db, &["member", "add", "ops team", "cli"]).await.unwrap().trim(), "added");
    assert!(run(&db, &["member", "add", "Ops Team", "cli@example.com"]).await.unwrap().contains("nothing changed"));
    assert!(run(&db, &["group", "list"]).await.unwrap().contains("Ops Team"));
    assert!(run(&db, &["user", "list"]).await.unwrap().contains("cli@example.com"));
    let token = run(&db, &["token", "create", "cli"]).await.unwrap().trim().to_string();
    assert!(token.starts_with("rst_"));

    // The same validation as the API.
    assert!(run(&db, &["group", "create", "ops team"]).await.unwrap_err().contains("already exists"));
    assert!(run(&db, &["user", "create", "--display-name", "X", "--email", "not-an-email"])
        .await
        .unwrap_err()
        .contains("email"));
    assert!(run(&db, &["member", "add", "nope", "cli"]).await.is_err());

    // The token works against a server over the same file.
    let app = TestApp::spawn_on(tmp, db.clone(), Default::default()).await;
    let r = app.with_auth(&basic("cli@example.com", &token)).get("/wiki/rest/api/user/current").await;
    assert_eq!(r.body["displayName"], "Cli User");
    let (tmp, db) = app.stop().await;
    assert_eq!(run(&db, &["member", "remove", "Ops Team", "cli"]).await.unwrap().trim(), "removed");
    assert!(run(&db, &["member", "remove", "Ops Team", "cli"]).await.is_err());
    drop(tmp);
}

fn write(path: &std::path::Path, lines: &[&str]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[tokio::test]
async fn import_loads_the_dataset_format_and_reimporting_changes_nothing() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = crate::helpers::fresh_db(&tmp, "imp.db").await;
    let file = tmp.path().join("data.jsonl");
    write(
        &file,
        &[
            r#"{"kind":"user","accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","displayName":"Ann Lee","email":"ann@example.com"}"#,
            r#"{"kind":"user","accountId":"712020:0e3c8f4a-1d2b-4c5d-8e9f-0a1b2c3d4e5f","accountType":"app","displayName":"Deploy Bot 1","email":""}"#,
            r#"{"kind":"group","id":"7c6b1f0e-1111-4222-8333-944455556666","name":"confluence-users","type":"group"}"#,
            r#"{"kind":"membership","groupId":"7c6b1f0e-1111-4222-8333-944455556666","accountId":"5b10a2844c20165700ede21g"}"#,
        ],
    );
    let f = file.to_string_lossy().into_owned();
    let out = run(&db, &["import", &f]).await.unwrap();
    assert!(
        out.contains("2 users added") && out.contains("1 groups added") && out.contains("1 memberships added"),
        "{out}"
    );
    let out = run(&db, &["import", &f]).await.unwrap();
    assert!(
        out.contains("0 users added, 0 users updated, 0 groups added, 0 memberships added, 4 records unchanged"),
        "{out}"
    );

    let app = TestApp::spawn_on(tmp, db, Default::default()).await;
    let r = app.admin().get("/wiki/rest/api/group/member?name=confluence-users").await;
    let ids: Vec<&str> =
        r.body["results"].as_array().unwrap().iter().map(|u| u["accountId"].as_str().unwrap()).collect();
    assert!(ids.contains(&"5b10a2844c20165700ede21g"));
    let g = app.admin().get("/wiki/rest/api/group/by-name?name=confluence-users").await;
    assert_eq!(g.body["id"], "7c6b1f0e-1111-4222-8333-944455556666", "imported ids are kept");
}

#[tokio::test]
async fn a_bad_line_is_reported_with_its_number_and_nothing_is_imported() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = crate::helpers::fresh_db(&tmp, "bad.db").await;
    let file = tmp.path().join("bad.jsonl");
    write(
        &file,
        &[
            r#"{"kind":"group","id":"g-1","name":"team-a","type":"group"}"#,
            r#"{"kind":"user","accountId":"acc-1","accountType":"atlassian","displayName":"Ok","email":"ok@example.com"}"#,
            r#"{"kind":"user","accountId":"acc-2","accountType":"atlassian","displayName":"Bad","email":"no-at-sign"}"#,
        ],
    );
    let f = file.to_string_lossy().into_owned();
    let err = run(&db, &["import", &f]).await.unwrap_err();
    assert!(err.contains("bad.jsonl:3") && err.contains("email"), "{err}");

    // A membership naming a user that does not exist fails in the store,
    // after parsing, and rolls back the users and groups before it.
    write(
        &file,
        &[
            r#"{"kind":"group","id":"g-1","name":"team-a","type":"group"}"#,
            r#"{"kind":"user","accountId":"acc-1","accountType":"atlassian","displayName":"Ok","email":"ok@example.com"}"#,
            r#"{"kind":"membership","groupId":"g-1","accountId":"acc-404"}"#,
        ],
    );
    let err = run(&db, &["import", &f]).await.unwrap_err();
    assert!(err.contains("bad.jsonl:3") && err.contains("nothing was imported"), "{err}");
    let out = run(&db, &["group", "list"]).await.unwrap();
    assert!(!out.contains("team-a"), "{out}");
    let out = run(&db, &["user", "list"]).await.unwrap();
    assert!(!out.contains("acc-1"), "{out}");
    let err = run(&db, &["import", "/nonexistent.jsonl"]).await.unwrap_err();
    assert!(err.contains("cannot open"), "{err}");
}

#[tokio::test]
async fn a_change_made_with_the_cli_beside_a_running_server_reaches_the_server() {
    let app = TestApp::spawn().await;
    app.group("side-door").await;
    let db = app.db.clone();
    run(&db, &["member", "add", "side-door", "admin"]).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let r = app.admin().get("/wiki/rest/api/group/member?name=side-door").await;
        if r.body["size"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server never saw the CLI's change");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn config_print_default_prints_a_file_that_configures_the_server() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("cfg.db").to_string_lossy().into_owned();
    new_store(&db).await;
    let example = run(&db, &["config", "print-default"]).await.unwrap();
    assert!(example.contains("listen = \"127.0.0.1:8090\""), "{example}");
    let file = tmp.path().join("roster.toml");
    std::fs::write(&file, example.replace("db = \"roster.db\"", &format!("db = {db:?}"))).unwrap();
    let out = run(&db, &["--config", file.to_str().unwrap(), "group", "create", "from-config"]).await.unwrap();
    assert!(out.contains("from-config"), "{out}");
    let out = run(&db, &["group", "list"]).await.unwrap();
    assert!(out.contains("from-config"));
    std::fs::write(&file, "lisen = \"typo\"\n").unwrap();
    let err = run(&db, &["--config", file.to_str().unwrap(), "group", "list"]).await.unwrap_err();
    assert!(err.contains("lisen"), "{err}");
}

#[tokio::test]
async fn a_command_on_a_path_that_holds_no_store_says_so_and_creates_nothing() {
    let tmp = tempfile::TempDir::new().unwrap();
    let missing = tmp.path().join("typo.db");
    let db = missing.to_string_lossy().into_owned();
    for args in [
        &["user", "list"][..],
        &["group", "list"],
        &["member", "add", "g", "u"],
        &["token", "create", "u"],
        &["audit"],
        &["export"],
    ] {
        let e = run(&db, args).await.expect_err("no store there");
        assert!(e.contains("no store at") && e.contains("typo.db"), "{args:?}: {e}");
        assert!(!missing.exists(), "{args:?} created {db}");
    }
    let to = tmp.path().join("copy.db").to_string_lossy().into_owned();
    let e = run(&db, &["migrate-store", "--from", &db, "--to", &to]).await.expect_err("no source store");
    assert!(e.contains("does not exist"), "{e}");
    assert!(!missing.exists());

    // `import` creates the store it loads into; then the other commands work on it.
    let seed = tmp.path().join("seed.jsonl");
    write(&seed, &[r#"{"kind":"user","accountId":"a-1","displayName":"Ann","email":"ann@example.com"}"#]);
    run(&db, &["import", seed.to_str().unwrap()]).await.unwrap();
    assert!(run(&db, &["user", "list"]).await.unwrap().contains("ann@example.com"));
}
