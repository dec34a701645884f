//! Golden bodies of the Extender dialect (`/rest/extender/1.0`): every
//! operation's success answer and its main errors (unknown object, bad
//! input, refused caller), whole, as roster sends them.

use serde_json::json;

use crate::golden::{golden, Golden};

const API: &str = "/rest/extender/1.0";

#[tokio::test]
async fn golden_extender_read_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    golden!(g, "extender_groups", a, GET, format!("{API}/group/getGroups?maxResults=3"));
    golden!(g, "extender_groups_bad_paging", a, GET, format!("{API}/group/getGroups?startAt=x"));
    golden!(g, "extender_group_users", a, GET, format!("{API}/group/getUsers/engineers"));
    golden!(
        g,
        "extender_group_users_extended",
        a,
        GET,
        format!("{API}/group/getUsers/engineers?showExtendedDetails=true&dateFormat=yyyy")
    );
    golden!(g, "extender_group_users_unknown", a, GET, format!("{API}/group/getUsers/nobody"));
    golden!(g, "extender_users", a, GET, format!("{API}/user/getUsers?maxResults=4&showBasicDetails=true"));
    golden!(g, "extender_users_with_access", a, GET, format!("{API}/user/getUsersWithConfluenceAccess"));
    golden!(g, "extender_users_plain_user", &g.plain, GET, format!("{API}/user/getUsers"));
    golden!(g, "extender_user_details", a, GET, format!("{API}/user/getUserDetails/grace"));
    golden!(g, "extender_user_details_unknown", a, GET, format!("{API}/user/getUserDetails/nobody"));
    golden!(g, "extender_groups_no_access", &g.outsider, GET, format!("{API}/group/getGroups"));
    golden!(g, "extender_groups_anonymous", &g.anon, GET, format!("{API}/group/getGroups"));
}

#[tokio::test]
async fn golden_extender_write_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let a = &g.admin;
    let groups = json!({"groups": ["qa-team", "release-managers", "engineers"]});
    golden!(g, "extender_add_groups", a, POST, format!("{API}/group/addGroups"), groups);
    golden!(g, "extender_add_groups_empty", a, POST, format!("{API}/group/addGroups"), json!({"groups": []}));
    golden!(g, "extender_add_groups_plain_user", &g.plain, POST, format!("{API}/group/addGroups"), groups);
    let users = json!({"users": ["ada", "grace", "nobody"]});
    golden!(g, "extender_add_users", a, POST, format!("{API}/group/addUsers/qa-team"), users);
    golden!(g, "extender_add_users_unknown_group", a, POST, format!("{API}/group/addUsers/nobody"), users);
    golden!(g, "extender_remove_users", a, POST, format!("{API}/group/removeUsers/qa-team"), users);
    let gone = json!({"groups": ["qa-team", "nobody"]});
    golden!(g, "extender_remove_groups", a, POST, format!("{API}/group/removeGroups"), gone);
    let lin = json!({"name": "lin", "fullName": "Lin Wei", "email": "lin@example.com", "groups": ["engineers"]});
    golden!(g, "extender_add_user", a, POST, format!("{API}/user/add"), lin);
    golden!(g, "extender_add_user_taken", a, PUT, format!("{API}/user/add"), lin);
    let mei =
        json!({"name": "mei", "fullName": "Mei Chen", "email": "mei@example.com", "password": crate::golden::PASSWORD});
    golden!(g, "extender_add_user_by_put", a, PUT, format!("{API}/user/add"), mei);
    golden!(
        g,
        "extender_add_user_no_name",
        a,
        POST,
        format!("{API}/user/add"),
        json!({"fullName": "X", "email": "x@example.com"})
    );
    golden!(g, "extender_deactivate_user", a, POST, format!("{API}/user/deactivate/lin"));
    golden!(g, "extender_deactivate_self", a, POST, format!("{API}/user/deactivate/boss"));
    golden!(g, "extender_activate_user", a, POST, format!("{API}/user/activate/lin"));
    golden!(g, "extender_activate_user_unknown", a, POST, format!("{API}/user/activate/nobody"));
}
