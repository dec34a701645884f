//! Golden bodies of Cloud REST v2 (`/wiki/api/v2`): each operation's
//! success answer and its main errors (bad input, refused caller), whole,
//! as roster sends them. (Unknown v2 routes and wrong methods, which no
//! described operation answers, are checked in v2_users.rs.)

use serde_json::json;

use crate::golden::{golden, Golden};

const V2: &str = "/wiki/api/v2";
const ADA: &str = "5b10ac8d82e05b22cc7d4ef5";
const GRACE: &str = "5b10a2844c20165700ede21f";
const KEN: &str = "5a0b1c2d3e4f5a6b7c8d9e0f";

#[tokio::test]
async fn golden_v2_user_answers() {
    let g = Golden::spawn().await;
    let _s = g.bind();
    let (a, p) = (&g.admin, &g.plain);
    let bulk = format!("{V2}/users-bulk");
    let ids = json!({"accountIds": [ADA, GRACE, KEN, "nobody", ADA]});
    golden!(g, "v2_users_bulk", a, POST, bulk, ids);
    golden!(g, "v2_users_bulk_plain_user", p, POST, bulk, ids);
    golden!(g, "v2_users_bulk_none", a, POST, bulk, json!({"accountIds": []}));
    let many: Vec<String> = (0..251).map(|i| format!("id-{i}")).collect();
    golden!(g, "v2_users_bulk_too_many", a, POST, bulk, json!({ "accountIds": many }));
    golden!(g, "v2_users_bulk_no_access", &g.outsider, POST, bulk, ids);
    golden!(g, "v2_users_bulk_anonymous", &g.anon, POST, bulk, ids);
    let check = format!("{V2}/user/access/check-access-by-email");
    let emails =
        json!({"emails": ["ada@example.com", "ken@example.com", "outsider@example.com", "new@example.com", "nope"]});
    golden!(g, "v2_check_access", p, POST, check, emails);
    golden!(g, "v2_check_access_no_emails", p, POST, check, json!({}));
    let invite = format!("{V2}/user/access/invite-by-email");
    golden!(g, "v2_invite_plain_user", p, POST, invite, emails);
    golden!(g, "v2_invite", a, POST, invite, emails);
    golden!(g, "v2_check_access_after_invite", a, POST, check, emails);
}
