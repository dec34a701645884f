//! The permission matrix: every Cloud route against anonymous callers,
//! users without product access, plain users and site admins; refused
//! writes change nothing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{enc, Api, TestApp};

const API: &str = "/wiki/rest/api";

struct Fixture {
    app: TestApp,
    routes: Vec<(Method, String, Option<Value>, Access)>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Access {
    /// Anyone with product access.
    Read,
    /// Product access; a plain user is refused because the target is someone else.
    OwnOnly,
    /// Site admins only.
    Admin,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let (target, _) = app.user("target", &["confluence-users", "crew", "crew2"]).await;
    let victim2 = app.group("victim2").await;
    app.group("victim1").await;
    let crew_id = app.view().group_by_name("crew").unwrap().group.uuid.to_string();
    let crew2_id = app.view().group_by_name("crew2").unwrap().group.uuid.to_string();
    let (joiner, _) = app.user("joiner", &["confluence-users"]).await;
    let t = enc(&target);
    let j = enc(&joiner);
    use Access::*;
    let get = |p: String, a| (Method::GET, format!("{API}{p}"), None, a);
    let routes = vec![
        get(format!("/user?accountId={t}"), Read),
        get("/user/anonymous".into(), Read),
        get("/user/current".into(), Read),
        get(format!("/user/memberof?accountId={t}"), Read),
        get(format!("/user/bulk?accountId={t}"), Read),
        get(format!("/user/email?accountId={t}"), OwnOnly),
        get(format!("/user/email/bulk?accountId={t}"), Read),
        get("/user/bulk/migration?username=target".into(), Admin),
        get("/group".into(), Read),
        get("/group/by-name?name=crew".into(), Read),
        get(format!("/group/by-id?id={crew_id}"), Read),
        get("/group/crew".into(), Read),
        get("/group/picker?query=cr".into(), Read),
        get("/group/member?name=crew".into(), Read),
        get("/group/crew/member".into(), Read),
        get(format!("/group/{crew_id}/membersByGroupId"), Read),
        get(format!("/search/user?cql={}", enc("type=user")), Read),
        (Method::POST, format!("{API}/group"), Some(json!({"name": "brand-new"})), Admin),
        (Method::DELETE, format!("{API}/group?name=victim1"), None, Admin),
        (Method::DELETE, format!("{API}/group/by-id?id={victim2}"), None, Admin),
        (Method::POST, format!("{API}/group/user?name=crew"), Some(json!({"accountId": joiner})), Admin),
        (Method::DELETE, format!("{API}/group/user?name=crew&accountId={t}"), None, Admin),
        (
            Method::POST,
            format!("{API}/group/userByGroupId?groupId={crew2_id}"),
            Some(json!({"accountId": joiner})),
            Admin,
        ),
        (Method::DELETE, format!("{API}/group/userByGroupId?groupId={crew2_id}&accountId={t}"), None, Admin),
    ];
    let _ = j;
    Fixture { app, routes }
}

fn state(app: &TestApp) -> String {
    let m = app.view();
    m.groups_by_name().map(|g| format!("{}={};", g.group.name, g.members.len())).collect()
}

async fn check(f: &Fixture, caller: &Api, expect: impl Fn(Access) -> u16, who: &str) {
    let before = state(&f.app);
    for (method, path, body, access) in &f.routes {
        let r = caller.send(method.clone(), path, body.as_ref()).await;
        assert_eq!(r.status.as_u16(), expect(*access), "{who} {method} {path}: {}", r.text);
        if !r.status.is_success() {
            crate::helpers::assert_error(&r, r.status.as_u16());
        }
    }
    assert_eq!(state(&f.app), before, "{who}: refused writes changed nothing");
}

#[tokio::test]
async fn anonymous_callers_get_401_on_every_route() {
    let f = fixture().await;
    check(&f, &f.app.anon(), |_| 401, "anonymous").await;
}

#[tokio::test]
async fn users_without_product_access_get_403_on_every_route() {
    let f = fixture().await;
    let (_, outsider) = f.app.user("outsider", &["some-team"]).await;
    check(&f, &outsider, |_| 403, "no access").await;
}

#[tokio::test]
async fn plain_users_read_but_cannot_change_anything() {
    let f = fixture().await;
    let (_, plain) = f.app.plain_user("plain").await;
    check(&f, &plain, |a| if a == Access::Read { 200 } else { 403 }, "plain").await;
}

#[tokio::test]
async fn site_admins_may_do_everything() {
    let f = fixture().await;
    let admin = f.app.admin();
    for (method, path, body, _) in &f.routes {
        let r = admin.send(method.clone(), path, body.as_ref()).await;
        assert!(r.status.is_success(), "admin {method} {path}: {} {}", r.status, r.text);
    }
    let m = f.app.view();
    assert!(m.group_by_name("brand-new").is_ok());
    assert!(m.group_by_name("victim1").is_err() && m.group_by_name("victim2").is_err());
    assert_eq!(m.group_by_name("crew").unwrap().members.len(), 1, "joiner in, target out");
}

#[tokio::test]
async fn anonymous_access_when_switched_on_allows_reads_but_not_writes() {
    let policy = roster_core::Policy { anonymous_access: true, ..Default::default() };
    let app = TestApp::spawn_with(policy).await;
    app.group("open").await;
    let anon = app.anon();
    assert_eq!(anon.get(&format!("{API}/group")).await.status, 200);
    assert_eq!(anon.get(&format!("{API}/user/current")).await.body["type"], "anonymous");
    let r = anon.post(&format!("{API}/group"), json!({"name": "sneaky"})).await;
    assert_eq!(r.status, 401);
    assert!(app.view().group_by_name("sneaky").is_err());
}
