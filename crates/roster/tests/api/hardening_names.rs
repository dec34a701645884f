//! Names (issue 17, item 8): invisible format characters are refused in
//! group names, usernames, display names and e-mails by every dialect's
//! create calls and by `roster import`, with the code point and its
//! position; lookalikes of the admin and access groups' names are refused.

use serde_json::{json, Value};

use crate::helpers::{assert_error, Api, Resp, TestApp};

const DC: &str = "/rest/api";
const EXT: &str = "/rest/extender/1.0";

/// One of each class: zero width space and joiner, the bidi marks,
/// embeddings/overrides and isolates, the BOM, a tag, the soft hyphen.
const INVISIBLE: [char; 10] = [
    '\u{200B}',
    '\u{200D}',
    '\u{200E}',
    '\u{202A}',
    '\u{202E}',
    '\u{2066}',
    '\u{2069}',
    '\u{FEFF}',
    '\u{E0041}',
    '\u{AD}',
];

fn code(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A 400 in the JSON error shape whose message names `what`.
fn refused(r: &Resp, what: &str, call: &str) {
    assert_error(r, 400);
    let msg = r.body["message"].as_str().unwrap_or_default();
    assert!(msg.contains(what), "{call}: '{msg}' should name {what}");
}

/// Creates group `name` through `dialect`'s create-group call.
async fn create_group(admin: &Api, dialect: &str, name: &str) -> Resp {
    match dialect {
        "cloud" => admin.post("/wiki/rest/api/group", json!({"name": name})).await,
        "dc" => admin.post(&format!("{DC}/admin/group"), json!({"name": name, "type": "group"})).await,
        _ => admin.post(&format!("{EXT}/group/addGroups"), json!({"groups": [name]})).await,
    }
}

/// Creates a user through DC's or Extender's create-user call.
async fn create_user(admin: &Api, dialect: &str, username: &str, full_name: &str, email: &str) -> Resp {
    match dialect {
        "dc" => {
            let body =
                json!({"userName": username, "fullName": full_name, "email": email, "password": "pw-0123456789"});
            admin.post(&format!("{DC}/admin/user"), body).await
        }
        _ => {
            admin
                .post(&format!("{EXT}/user/add"), json!({"name": username, "fullName": full_name, "email": email}))
                .await
        }
    }
}

#[tokio::test]
async fn every_invisible_character_class_is_refused_in_each_dialects_create_group_with_its_position() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let groups = app.view().group_count();
    for c in INVISIBLE {
        let name = format!("team{c}x");
        for dialect in ["cloud", "dc", "extender"] {
            let r = create_group(&admin, dialect, &name).await;
            refused(&r, &code(c), &format!("{dialect} create group"));
            refused(&r, "at character 5", &format!("{dialect} create group"));
        }
    }
    assert_eq!(app.view().group_count(), groups, "nothing was created");
}

#[tokio::test]
async fn every_invisible_character_class_is_refused_in_each_dialects_create_user_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let users = app.view().user_count();
    for c in INVISIBLE {
        for dialect in ["dc", "extender"] {
            let call = format!("{dialect} create user with {}", code(c));
            let r = create_user(&admin, dialect, &format!("ann{c}"), "Ann Lee", "ann@example.com").await;
            refused(&r, &code(c), &call);
            refused(&r, "at character 4", &call);
            let r = create_user(&admin, dialect, "ann", &format!("Ann{c} Lee"), "ann@example.com").await;
            refused(&r, &code(c), &call);
            refused(&r, "at character 4", &call);
            let r = create_user(&admin, dialect, "ann", "Ann Lee", &format!("an{c}n@example.com")).await;
            refused(&r, &code(c), &call);
            refused(&r, "at character 3", &call);
        }
    }
    assert_eq!(app.view().user_count(), users, "nothing was created");
    // The same user without the characters is fine.
    assert_eq!(create_user(&admin, "dc", "ann", "Ann Lee", "ann@example.com").await.status, 201);
}

#[tokio::test]
async fn lookalikes_of_the_admin_and_access_groups_are_refused_while_an_ordinary_group_is_created() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let fullwidth = "\u{FF53}\u{FF49}\u{FF54}\u{FF45}-admins";
    for dialect in ["cloud", "dc", "extender"] {
        let call = format!("{dialect} create group");
        refused(&create_group(&admin, dialect, "site-admins\u{200B}").await, "U+200B", &call);
        refused(&create_group(&admin, dialect, "Site-Admins").await, "looks like an admin group", &call);
        refused(&create_group(&admin, dialect, fullwidth).await, "'site-admins'", &call);
        refused(&create_group(&admin, dialect, "CONFLUENCE-USERS").await, "looks like an access group", &call);
        // Not yet a group, but named by the policy: its lookalikes too.
        refused(&create_group(&admin, dialect, "Confluence-Administrators").await, "looks like", &call);
        let ordinary = format!("site-admins-{dialect}");
        let r = create_group(&admin, dialect, &ordinary).await;
        assert!(r.status.is_success(), "{call} {ordinary}: {}", r.text);
        assert!(app.view().group_name_taken(&ordinary));
    }
    for name in ["Site-Admins", fullwidth, "site-admins\u{200B}", "Confluence-Administrators"] {
        assert!(app.view().groups_by_name().all(|g| &*g.group.name != name), "{name} exists");
    }
    // The policy's own names, exactly, are not lookalikes.
    let r = create_group(&admin, "cloud", "confluence-administrators").await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn lookalikes_follow_the_configured_policy_groups() {
    let policy =
        roster_core::Policy { admin_groups: vec!["ops-admins".into(), "site-admins".into()], ..Default::default() };
    let app = TestApp::spawn_with(policy).await;
    let r = create_group(&app.admin(), "cloud", "OPS-admins").await;
    refused(&r, "'ops-admins'", "cloud create group");
}

fn write(path: &std::path::Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

async fn import(db: &str, file: &std::path::Path) -> Result<String, String> {
    let argv =
        vec!["roster".into(), "--db".into(), db.to_string(), "import".into(), file.to_string_lossy().into_owned()];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match roster::cli::run(argv, &mut out, &mut err).await {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(format!("{e:#}")),
    }
}

fn group_line(name: &str) -> String {
    json!({"kind": "group", "id": format!("g-{}", name.len()), "name": name, "type": "group"}).to_string()
}

fn user_line(display: &str, email: &str) -> String {
    let v: Value = json!({"kind": "user", "accountId": "acc-2", "accountType": "atlassian", "displayName": display, "email": email});
    v.to_string()
}

#[tokio::test]
async fn import_refuses_invisible_characters_and_lookalikes_with_file_and_line() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = crate::helpers::fresh_db(&tmp, "names.db").await;
    let file = tmp.path().join("names.jsonl");
    let first = group_line("team");
    let cases: Vec<(String, &str)> = vec![
        (group_line("site-admins\u{200B}"), "U+200B"),
        (group_line("Site-Admins"), "looks like an admin group"),
        (group_line("\u{FF53}\u{FF49}\u{FF54}\u{FF45}-admins"), "'site-admins'"),
        (user_line("Ann\u{202E}eel", "ann@example.com"), "U+202E"),
        (user_line("Ann Lee", "ann\u{2066}@example.com"), "U+2066"),
        (user_line("Ann\u{E0041} Lee", "ann@example.com"), "U+E0041"),
    ];
    for (line, what) in cases {
        write(&file, &[first.clone(), line.clone()]);
        let err = import(&db, &file).await.unwrap_err();
        assert!(err.contains("names.jsonl:2") && err.contains(what), "{line}: {err}");
    }
    // The exact names and ordinary ones import.
    write(&file, &[first, group_line("site-admins"), user_line("Ann Lee", "ann@example.com")]);
    let out = import(&db, &file).await.unwrap();
    assert!(out.contains("1 users added") && out.contains("2 groups added"), "{out}");
}
