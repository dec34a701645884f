//! Golden bodies of the Cloud dialect (`/wiki/rest/api`): every
//! operation's success answer and its main errors (unknown object, bad
//! input, refused caller), whole, as roster sends them. The snapshots are
//! in `snapshots/`; a change of shape fails here until it is reviewed
//! (`cargo insta review`, or `INSTA_UPDATE=always` and a look at the diff).

use serde_json::json;

use crate::golden::{golden, Golden};

const API: &str = "/wiki/rest/api";
const ADA: &str = "5b10ac8d82e05b22cc7d4ef5";
const GRACE: &str = "5b10a2844c20165700ede21f";

#[tokio::test]
async fn golden_cloud_user_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "cloud_user", a, GET, format!("{API}/user?accountId={ADA}"));
    golden!(g, "cloud_user_unknown", a, GET, format!("{API}/user?accountId=nobody"));
    golden!(g, "cloud_user_no_account", a, GET, format!("{API}/user"));
    golden!(g, "cloud_user_anonymous", a, GET, format!("{API}/user/anonymous"));
    golden!(g, "cloud_user_current", &g.plain, GET, format!("{API}/user/current"));
    golden!(g, "cloud_user_current_anonymous_caller", &g.anon, GET, format!("{API}/user/current"));
    golden!(g, "cloud_user_current_no_access", &g.outsider, GET, format!("{API}/user/current"));
    golden!(g, "cloud_memberof", a, GET, format!("{API}/user/memberof?accountId={GRACE}"));
    golden!(g, "cloud_memberof_unknown", a, GET, format!("{API}/user/memberof?accountId=nobody"));
    golden!(
        g,
        "cloud_user_bulk",
        a,
        GET,
        format!("{API}/user/bulk?accountId={ADA}&accountId={GRACE}&accountId=nobody")
    );
    golden!(g, "cloud_user_bulk_no_account", a, GET, format!("{API}/user/bulk"));
    golden!(g, "cloud_email", a, GET, format!("{API}/user/email?accountId={GRACE}"));
    golden!(g, "cloud_email_of_someone_else", &g.plain, GET, format!("{API}/user/email?accountId={GRACE}"));
    golden!(g, "cloud_email_bulk", a, GET, format!("{API}/user/email/bulk?accountId={ADA},{GRACE}"));
    golden!(g, "cloud_migration", a, GET, format!("{API}/user/bulk/migration?username=ada&username=grace"));
    golden!(g, "cloud_migration_key_and_username", a, GET, format!("{API}/user/bulk/migration?username=ada&key=x"));
    golden!(g, "cloud_migration_plain_user", &g.plain, GET, format!("{API}/user/bulk/migration?username=ada"));
    let cql = "?cql=user.fullname~%22Ada%22";
    golden!(g, "cloud_search", a, GET, format!("{API}/search/user{cql}"));
    golden!(g, "cloud_search_bad_cql", a, GET, format!("{API}/search/user?cql=nonsense(("));
    golden!(g, "cloud_search_anonymous", &g.anon, GET, format!("{API}/search/user{cql}"));
}

#[tokio::test]
async fn golden_cloud_group_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    let eng = g.uuid("engineers");
    golden!(g, "cloud_groups", a, GET, format!("{API}/group?limit=3"));
    golden!(g, "cloud_groups_bad_limit", a, GET, format!("{API}/group?limit=many"));
    golden!(g, "cloud_group_by_name", a, GET, format!("{API}/group/by-name?name=engineers"));
    golden!(g, "cloud_group_by_name_unknown", a, GET, format!("{API}/group/by-name?name=nobody"));
    golden!(g, "cloud_group_by_id", a, GET, format!("{API}/group/by-id?id={eng}"));
    golden!(
        g,
        "cloud_group_by_id_unknown",
        a,
        GET,
        format!("{API}/group/by-id?id=00000000-0000-0000-0000-000000000000")
    );
    golden!(g, "cloud_group_by_path", a, GET, format!("{API}/group/engineers"));
    golden!(g, "cloud_group_picker", a, GET, format!("{API}/group/picker?query=eng"));
    golden!(g, "cloud_group_picker_no_query", a, GET, format!("{API}/group/picker"));
    golden!(g, "cloud_group_members", a, GET, format!("{API}/group/member?name=engineers"));
    golden!(g, "cloud_group_members_unknown", a, GET, format!("{API}/group/member?name=nobody"));
    golden!(g, "cloud_group_members_by_path", a, GET, format!("{API}/group/engineers/member?limit=1"));
    golden!(g, "cloud_group_members_by_id", a, GET, format!("{API}/group/{eng}/membersByGroupId"));
    golden!(g, "cloud_groups_no_access", &g.outsider, GET, format!("{API}/group"));
    golden!(g, "cloud_groups_anonymous", &g.anon, GET, format!("{API}/group"));
}

#[tokio::test]
async fn golden_cloud_write_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "cloud_create_group", a, POST, format!("{API}/group"), json!({"name": "qa-team"}));
    golden!(g, "cloud_create_group_taken", a, POST, format!("{API}/group"), json!({"name": "qa-team"}));
    golden!(g, "cloud_create_group_blank", a, POST, format!("{API}/group"), json!({"name": "  "}));
    golden!(g, "cloud_create_group_plain_user", &g.plain, POST, format!("{API}/group"), json!({"name": "x"}));
    let members = format!("{API}/group/user?name=qa-team");
    golden!(g, "cloud_add_member", a, POST, members, json!({ "accountId": ADA }));
    golden!(g, "cloud_add_member_unknown_account", a, POST, members, json!({"accountId": "nobody"}));
    golden!(
        g,
        "cloud_add_member_unknown_group",
        a,
        POST,
        format!("{API}/group/user?name=nobody"),
        json!({ "accountId": ADA })
    );
    golden!(g, "cloud_add_member_no_account", a, POST, members, json!({}));
    golden!(g, "cloud_remove_member", a, DELETE, format!("{members}&accountId={ADA}"));
    golden!(g, "cloud_remove_member_not_a_member", a, DELETE, format!("{members}&accountId={GRACE}"));
    let qa = g.uuid("qa-team");
    let by_id = format!("{API}/group/userByGroupId?groupId={qa}");
    golden!(g, "cloud_add_member_by_id", a, POST, by_id, json!({ "accountId": GRACE }));
    golden!(g, "cloud_remove_member_by_id", a, DELETE, format!("{by_id}&accountId={GRACE}"));
    golden!(g, "cloud_audit", a, GET, format!("{API}/audit?searchString=qa-team&limit=3"));
    golden!(g, "cloud_audit_bad_date", a, GET, format!("{API}/audit?startDate=yesterday"));
    golden!(g, "cloud_audit_plain_user", &g.plain, GET, format!("{API}/audit"));
    golden!(g, "cloud_delete_group", a, DELETE, format!("{API}/group?name=qa-team"));
    golden!(g, "cloud_delete_group_unknown", a, DELETE, format!("{API}/group?name=qa-team"));
    golden!(g, "cloud_delete_group_by_id", a, DELETE, format!("{API}/group/by-id?id={}", g.uuid("reviewers")));
    golden!(g, "cloud_delete_group_plain_user", &g.plain, DELETE, format!("{API}/group?name=engineers"));
}
