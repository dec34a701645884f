//! Golden bodies of roster's own endpoints: health, readiness and the
//! test-suite snapshots, with their main errors. The metrics (Prometheus
//! text whose figures change with every request) and the OpenAPI
//! description (checked in openapi.rs and by schemathesis) are left out.

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
    golden!(g, "roster_snapshot_take_plain_user", &g.plain, POST, SNAPSHOTS);
    golden!(g, "roster_snapshot_list", a, GET, SNAPSHOTS);
    let id = g.app.admin().get(SNAPSHOTS).await.body["results"][0]["id"].clone();
    // Something to bring back: a deactivated user and a lost membership.
    g.app.admin().put("/rest/api/admin/user/ada/disable", None).await;
    g.app.admin().delete("/rest/api/user/grace/group/reviewers").await;
    golden!(g, "roster_snapshot_restore", a, POST, format!("{SNAPSHOTS}/{id}/restore"));
    golden!(g, "roster_snapshot_restore_unknown", a, POST, format!("{SNAPSHOTS}/999/restore"));
    golden!(g, "roster_snapshot_restore_bad_id", a, POST, format!("{SNAPSHOTS}/latest/restore"));
    golden!(g, "roster_snapshot_delete", a, DELETE, format!("{SNAPSHOTS}/{id}"));
    golden!(g, "roster_snapshot_delete_unknown", a, DELETE, format!("{SNAPSHOTS}/{id}"));
}
