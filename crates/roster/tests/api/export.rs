//! `roster export`: the import format, and a byte-identical round trip.

async fn run(db: &str, args: &[&str]) -> String {
    let mut argv = vec!["roster".to_string(), "--db".into(), db.to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    roster::cli::run(argv, &mut out, &mut err).await.unwrap_or_else(|e| panic!("{args:?}: {e:#}"));
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_then_export_gives_identical_bytes() {
    let tmp = tempfile::TempDir::new().unwrap();
    let first = tmp.path().join("first.db").to_string_lossy().into_owned();
    crate::helpers::new_store(&first).await;
    run(&first, &["group", "create", "confluence-users"]).await;
    run(&first, &["group", "create", "Zeta / Team"]).await;
    run(
        &first,
        &["user", "create", "--display-name", "Ann \"Q\" Lee", "--email", "ann@example.com", "--username", "ann"],
    )
    .await;
    run(
        &first,
        &["user", "create", "--display-name", "Bo Chen", "--email", "bo@example.com", "--groups", "Zeta / Team"],
    )
    .await;
    run(&first, &["member", "add", "Zeta / Team", "ann"]).await;
    let app =
        crate::helpers::TestApp::spawn_on(tempfile::TempDir::new().unwrap(), first.clone(), Default::default()).await;
    let bo = app.view().user_by_email("bo@example.com").unwrap().user.id;
    app.system()
        .update_user(bo, |u| {
            u.active = false;
            Ok(())
        })
        .await
        .unwrap();
    drop(app.stop().await);

    let exported = run(&first, &["export"]).await;
    assert!(exported.contains(r#""kind":"user""#) && exported.contains(r#""kind":"membership""#));
    assert!(exported.contains(r#""active":false"#), "deactivation survives the trip");
    let file = tmp.path().join("export.jsonl");
    std::fs::write(&file, &exported).unwrap();

    let second = tmp.path().join("second.db").to_string_lossy().into_owned();
    run(&second, &["import", file.to_str().unwrap()]).await;
    let again = run(&second, &["export"]).await;
    assert_eq!(again, exported);

    let to_file = tmp.path().join("again.jsonl");
    run(&second, &["export", to_file.to_str().unwrap()]).await;
    assert_eq!(std::fs::read_to_string(to_file).unwrap(), exported);
}
