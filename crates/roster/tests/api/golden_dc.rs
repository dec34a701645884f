//! Golden bodies of the Data Center dialect (`/rest/api`): every
//! operation's success answer and its main errors (unknown object, bad
//! input, refused caller), whole, as roster sends them. The `/confluence`
//! copies are the same handlers; one of them is pinned to show the links
//! follow the context path.

use serde_json::json;

use crate::golden::{golden, Golden, PASSWORD};

const API: &str = "/rest/api";

#[tokio::test]
async fn golden_dc_user_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "dc_user", a, GET, format!("{API}/user?username=ada"));
    golden!(g, "dc_user_deactivated", a, GET, format!("{API}/user?username=ken"));
    golden!(g, "dc_user_unknown", a, GET, format!("{API}/user?username=nobody"));
    golden!(g, "dc_user_no_name", a, GET, format!("{API}/user"));
    golden!(g, "dc_user_anonymous", a, GET, format!("{API}/user/anonymous"));
    golden!(g, "dc_user_current", &g.plain, GET, format!("{API}/user/current"));
    golden!(g, "dc_user_current_anonymous_caller", &g.anon, GET, format!("{API}/user/current"));
    golden!(g, "dc_user_current_no_access", &g.outsider, GET, format!("{API}/user/current"));
    golden!(g, "dc_user_list", a, GET, format!("{API}/user/list?limit=3"));
    golden!(g, "dc_user_list_bad_start", a, GET, format!("{API}/user/list?start=-1"));
    golden!(g, "dc_memberof", a, GET, format!("{API}/user/memberof?username=grace"));
    golden!(g, "dc_memberof_unknown", a, GET, format!("{API}/user/memberof?username=nobody"));
    golden!(g, "dc_user_context_path", a, GET, format!("/confluence{API}/user?username=grace"));
}

#[tokio::test]
async fn golden_dc_group_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "dc_groups", a, GET, format!("{API}/group?limit=3"));
    golden!(g, "dc_groups_bad_limit", a, GET, format!("{API}/group?limit=many"));
    golden!(g, "dc_group", a, GET, format!("{API}/group/engineers"));
    golden!(g, "dc_group_unknown", a, GET, format!("{API}/group/nobody"));
    golden!(g, "dc_group_members", a, GET, format!("{API}/group/engineers/member?limit=1"));
    golden!(g, "dc_group_members_unknown", a, GET, format!("{API}/group/nobody/member"));
    golden!(g, "dc_groups_no_access", &g.outsider, GET, format!("{API}/group"));
    golden!(g, "dc_groups_anonymous", &g.anon, GET, format!("{API}/group"));
}

#[tokio::test]
async fn golden_dc_write_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    let admin = format!("{API}/admin");
    golden!(g, "dc_create_group", a, POST, format!("{admin}/group"), json!({"name": "qa-team", "type": "group"}));
    golden!(g, "dc_create_group_taken", a, POST, format!("{admin}/group"), json!({"name": "qa-team"}));
    golden!(g, "dc_create_group_no_name", a, POST, format!("{admin}/group"), json!({}));
    golden!(g, "dc_create_group_plain_user", &g.plain, POST, format!("{admin}/group"), json!({"name": "x"}));
    golden!(g, "dc_add_member", a, POST, format!("{API}/group/qa-team/member"), json!({"name": "ada"}));
    golden!(g, "dc_add_member_unknown_user", a, POST, format!("{API}/group/qa-team/member"), json!({"name": "nobody"}));
    golden!(g, "dc_add_member_unknown_group", a, POST, format!("{API}/group/nobody/member"), json!({"name": "ada"}));
    golden!(g, "dc_remove_member", a, DELETE, format!("{API}/group/qa-team/member/ada"));
    golden!(g, "dc_add_membership", a, PUT, format!("{API}/user/grace/group/qa-team"));
    golden!(g, "dc_add_membership_unknown_user", a, PUT, format!("{API}/user/nobody/group/qa-team"));
    golden!(g, "dc_remove_membership", a, DELETE, format!("{API}/user/grace/group/qa-team"));
    golden!(g, "dc_delete_group", a, DELETE, format!("{admin}/group/qa-team"));
    golden!(g, "dc_delete_group_unknown", a, DELETE, format!("{admin}/group/qa-team"));
    let lin = json!({"userName": "lin", "fullName": "Lin Wei", "email": "lin@example.com", "password": PASSWORD});
    golden!(g, "dc_create_user", a, POST, format!("{admin}/user"), lin);
    golden!(g, "dc_create_user_taken", a, POST, format!("{admin}/user"), lin);
    golden!(
        g,
        "dc_create_user_no_password",
        a,
        POST,
        format!("{admin}/user"),
        json!({"userName": "x", "fullName": "X", "email": "x@example.com"})
    );
    golden!(g, "dc_create_user_plain_user", &g.plain, POST, format!("{admin}/user"), lin);
    golden!(g, "dc_disable_user", a, PUT, format!("{admin}/user/lin/disable"));
    golden!(g, "dc_enable_user", a, PUT, format!("{admin}/user/lin/enable"));
    golden!(g, "dc_disable_user_unknown", a, PUT, format!("{admin}/user/nobody/disable"));
    golden!(g, "dc_set_password", a, POST, format!("{admin}/user/lin/password"), json!({ "password": PASSWORD }));
    golden!(g, "dc_set_password_empty", a, POST, format!("{admin}/user/lin/password"), json!({"password": ""}));
    let change = json!({"oldPassword": PASSWORD, "newPassword": PASSWORD});
    golden!(g, "dc_change_own_password", &g.plain, POST, format!("{API}/user/current/password"), change);
    let wrong = json!({"oldPassword": "not it", "newPassword": PASSWORD});
    golden!(g, "dc_change_own_password_wrong", &g.plain, POST, format!("{API}/user/current/password"), wrong);
    golden!(g, "dc_change_own_password_anonymous", &g.anon, POST, format!("{API}/user/current/password"), change);
    let rename = json!({"fullName": "Lin Wei-Ling", "email": "lin.weiling@example.com"});
    golden!(g, "dc_update_user", a, PUT, format!("{admin}/user/lin"), rename);
    golden!(g, "dc_update_user_email_taken", a, PUT, format!("{admin}/user/lin"), json!({"email": "ada@example.com"}));
    golden!(g, "dc_update_user_nothing", a, PUT, format!("{admin}/user/lin"), json!({}));
    golden!(g, "dc_update_user_unknown", a, PUT, format!("{admin}/user/nobody"), json!({"fullName": "No One"}));
    golden!(g, "dc_active_users", a, GET, format!("{admin}/users/list/active?limit=2&expand=status"));
    golden!(g, "dc_active_users_plain_user", &g.plain, GET, format!("{admin}/users/list/active"));
    golden!(g, "dc_longtask_unknown", a, GET, format!("{API}/longtask/no-such-task"));
    golden!(g, "dc_delete_user", a, DELETE, format!("{admin}/user/lin"));
    golden!(g, "dc_delete_user_unknown", a, DELETE, format!("{admin}/user/nobody"));
    // The status link of a deletion's 202.
    let r = a.send(reqwest::Method::DELETE, &format!("{admin}/user/ken"), None).await;
    let task = r.body["id"].as_str().expect("a task id").to_string();
    golden!(g, "dc_longtask", a, GET, format!("{API}/longtask/{task}"));
    golden!(g, "dc_longtask_plain_user", &g.plain, GET, format!("{API}/longtask/{task}"));
}
