//! Golden bodies of roster's own endpoints: health, readiness, the
//! test-suite snapshots, the request journal and fault rules, with their
//! main errors. The metrics (Prometheus
//! text whose figures change with every request) and the OpenAPI
//! description (checked in openapi.rs and by schemathesis) are left out.

use serde_json::json;

use crate::golden::{golden, Golden};

const SNAPSHOTS: &str = "/rest/roster/1.0/snapshots";

#[tokio::test]
async fn golden_roster_health_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    golden!(g, "roster_healthz", &g.anon, GET, "/healthz");
    golden!(g, "roster_readyz", &g.anon, GET, "/readyz");
}

#[tokio::test]
async fn golden_roster_fixture_schema_answer() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    golden!(g, "roster_fixture_schema", &g.anon, GET, "/rest/roster/1.0/fixture-schema.json");
}

#[tokio::test]
async fn golden_roster_snapshot_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "roster_snapshot_take", a, POST, SNAPSHOTS);
    golden!(g, "roster_snapshot_take_named", a, POST, SNAPSHOTS, json!({"name": "before-sync"}));
    golden!(g, "roster_snapshot_take_plain_user", &g.plain, POST, SNAPSHOTS);
    golden!(g, "roster_snapshot_list", a, GET, SNAPSHOTS);
    let id = g.app.admin().get(SNAPSHOTS).await.body["results"][1]["id"].clone();
    // Something to bring back: a deactivated user and a lost membership.
    g.app.admin().put("/rest/api/admin/user/ada/disable", None).await;
    g.app.admin().delete("/rest/api/user/grace/group/reviewers").await;
    golden!(g, "roster_snapshot_restore", a, POST, format!("{SNAPSHOTS}/{id}/restore"));
    golden!(g, "roster_snapshot_restore_unknown", a, POST, format!("{SNAPSHOTS}/999/restore"));
    golden!(g, "roster_snapshot_restore_unknown_name", a, POST, format!("{SNAPSHOTS}/latest/restore"));
    golden!(g, "roster_snapshot_delete", a, DELETE, format!("{SNAPSHOTS}/{id}"));
    golden!(g, "roster_snapshot_delete_unknown", a, DELETE, format!("{SNAPSHOTS}/{id}"));
}

#[tokio::test]
async fn golden_roster_reset_diff_and_file_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    // The seeded users came after the server started: they become the seed.
    golden!(g, "roster_snapshot_take_seed", a, POST, SNAPSHOTS, json!({"name": "seed"}));
    golden!(g, "roster_diff_nothing_changed", a, GET, "/rest/roster/1.0/diff");
    // A sync's worth of changes since the seed.
    g.app.admin().put("/rest/api/admin/user/ada/disable", None).await;
    g.app.admin().delete("/rest/api/user/grace/group/reviewers").await;
    g.app.admin().post("/wiki/rest/api/group", json!({"name": "synced"})).await;
    golden!(g, "roster_diff", a, GET, "/rest/roster/1.0/diff");
    golden!(g, "roster_diff_unknown", a, GET, "/rest/roster/1.0/diff?since=nope");
    golden!(g, "roster_diff_plain_user", &g.plain, GET, "/rest/roster/1.0/diff");
    golden!(g, "roster_reset", a, POST, "/rest/roster/1.0/reset");
    golden!(g, "roster_reset_unknown", a, POST, "/rest/roster/1.0/reset", json!({"snapshot": "nope"}));
    // Whether the admin's sign-in time was flushed before the seed was
    // taken depends on timing (the flusher runs once a second).
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#""lastLoginDate": (null|\[epoch-ms\]|\d+)"#, r#""lastLoginDate": "[sign-in]""#);
    let bound = settings.bind_to_scope();
    golden!(g, "roster_snapshot_download", a, GET, format!("{SNAPSHOTS}/seed/file"));
    drop(bound);
    let file = g.app.admin().get(&format!("{SNAPSHOTS}/seed/file")).await.body;
    golden!(g, "roster_snapshot_load", a, POST, format!("{SNAPSHOTS}/file?name=shipped"), file);
    golden!(
        g,
        "roster_snapshot_load_bad",
        a,
        POST,
        format!("{SNAPSHOTS}/file"),
        json!({"format": "roster-snapshot", "version": 2})
    );
}

const REQUESTS: &str = "/rest/roster/1.0/requests";
const FAULTS: &str = "/rest/roster/1.0/faults";

#[tokio::test]
async fn golden_roster_journal_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "roster_journal_settings_off", a, GET, format!("{REQUESTS}/settings"));
    golden!(
        g,
        "roster_journal_switch_on",
        a,
        PUT,
        format!("{REQUESTS}/settings"),
        json!({"enabled": true, "size": 50})
    );
    golden!(
        g,
        "roster_journal_switch_plain_user",
        &g.plain,
        PUT,
        format!("{REQUESTS}/settings"),
        json!({"enabled": true})
    );
    g.app.admin().post("/wiki/rest/api/group", json!({"name": "golden-crew"})).await;
    g.plain.get("/wiki/rest/api/group/by-name?name=golden-crew").await;
    golden!(g, "roster_journal_list", a, GET, REQUESTS);
    golden!(g, "roster_journal_list_filtered", a, GET, format!("{REQUESTS}?method=POST&caller=admin"));
    golden!(g, "roster_journal_list_bad_since", a, GET, format!("{REQUESTS}?since=yesterday"));
    golden!(
        g,
        "roster_journal_count",
        a,
        POST,
        format!("{REQUESTS}/count"),
        json!({"method": "GET", "route": "/wiki/rest/api/group/by-name"})
    );
    golden!(g, "roster_journal_clear", a, DELETE, REQUESTS);
}

#[tokio::test]
async fn golden_roster_fault_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    let rule = json!({"method": "GET", "route": "/wiki/rest/api/group", "action": "status", "status": 429,
                      "retryAfter": 5, "times": 1, "seed": 7});
    golden!(g, "roster_fault_add", a, POST, FAULTS, rule);
    golden!(g, "roster_fault_add_bad", a, POST, FAULTS, json!({"action": "status", "status": 200}));
    golden!(g, "roster_fault_answer_429", a, GET, "/wiki/rest/api/group");
    golden!(g, "roster_fault_list", a, GET, FAULTS);
    let id = g.app.admin().get(FAULTS).await.body["results"][0]["id"].clone();
    golden!(g, "roster_fault_delete", a, DELETE, format!("{FAULTS}/{id}"));
    golden!(g, "roster_fault_delete_unknown", a, DELETE, format!("{FAULTS}/{id}"));
    golden!(g, "roster_fault_clear", a, DELETE, FAULTS);
}

const USERS: &str = "/rest/roster/1.0/users";

#[tokio::test]
async fn golden_roster_user_administration_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "roster_users_find", a, GET, format!("{USERS}?query=grace%40example.com"));
    golden!(g, "roster_users_find_names", a, GET, format!("{USERS}?query=a&limit=2"));
    golden!(g, "roster_users_find_plain_user", &g.plain, GET, USERS);
    golden!(g, "roster_users_one", a, GET, format!("{USERS}/5b10ac8d82e05b22cc7d4ef5"));
    golden!(g, "roster_users_one_unknown", a, GET, format!("{USERS}/nobody"));
    golden!(g, "roster_group_members_filtered", a, GET, "/rest/roster/1.0/group-members?name=engineers&filter=grace");
    golden!(g, "roster_group_members_unknown", a, GET, "/rest/roster/1.0/group-members?name=nope");
    // A new token is random: only its shape is pinned.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#""token": "rst_[A-Za-z0-9_-]+""#, r#""token": "[token]""#);
    let bound = settings.bind_to_scope();
    let tokens = format!("{USERS}/5b10ac8d82e05b22cc7d4ef5/tokens");
    golden!(g, "roster_users_token_issue", a, POST, tokens.clone(), json!({"label": "sync job"}));
    drop(bound);
    // Ada asks first: she is no site admin (and her own token still works).
    golden!(g, "roster_users_token_revoke_plain_user", &g.plain, DELETE, tokens.clone());
    golden!(g, "roster_users_token_revoke", a, DELETE, tokens);
}
