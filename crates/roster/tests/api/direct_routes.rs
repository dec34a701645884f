//! The direct GET path (`middleware/direct.rs`) answers exactly as the
//! router does. The guard calls the handlers of the Cloud reads without
//! path parameters itself; anything the router would add on the way
//! (a layer, an extractor that needs the router) would be skipped there.
//! So every direct route, with good and bad input and as different callers,
//! is asked once through the app and once through the bare router
//! (`roster_http::router`, served on a second loopback socket), and the
//! status and body bytes must be the same.

use roster_http::dialects::cloud::direct_gets;
use roster_http::AppState;
use tokio::net::TcpListener;

use crate::helpers::{basic, enc, TestApp, ADMIN_TOKEN};

const API: &str = "/wiki/rest/api";

/// Serves the bare router over the same directory; returns its base URL.
async fn bare_router(app: &TestApp) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = roster_http::router(AppState::new(app.dir.clone(), &app.url, None));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// Status and body, with the one field that measures time (a search's
/// `searchDuration`) set to 0.
async fn answer(http: &reqwest::Client, url: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = http.get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    let timed = "\"searchDuration\":";
    let body = match body.find(timed) {
        Some(at) => {
            let digits = body[at + timed.len()..].bytes().take_while(u8::is_ascii_digit).count();
            format!("{}0{}", &body[..at + timed.len()], &body[at + timed.len() + digits..])
        }
        None => body,
    };
    (status, body)
}

#[tokio::test]
async fn every_direct_route_answers_as_the_router_does() {
    let app = TestApp::spawn().await;
    let (ada, _) = app.user("ada", &["confluence-users", "developers"]).await;
    let (bob, bob_api) = app.plain_user("bob").await;
    let devs = app.view().group_by_name("developers").unwrap().group.uuid.to_string();
    let bare = bare_router(&app).await;
    let admin = basic("admin@example.com", ADMIN_TOKEN);
    let user = bob_api.auth_header().unwrap().to_string();

    let cases: Vec<String> = vec![
        format!("{API}/user?accountId={ada}"),
        format!("{API}/user?username=ada&expand=operations"),
        format!("{API}/user?accountId=no-such-account"),
        format!("{API}/user"),
        format!("{API}/user/anonymous"),
        format!("{API}/user/current"),
        format!("{API}/user/memberof?accountId={ada}"),
        format!("{API}/user/memberof?accountId={ada}&start=1&limit=1"),
        format!("{API}/user/memberof?accountId={ada}&limit=-1"),
        format!("{API}/user/bulk?accountId={ada}&accountId={bob}&accountId=missing"),
        format!("{API}/user/bulk?accountId={ada},{bob}&expand=personalSpace"),
        format!("{API}/user/email?accountId={ada}"),
        format!("{API}/user/email/bulk?accountId={ada}&accountId={bob}"),
        format!("{API}/user/bulk/migration?username=ada&username=bob"),
        format!("{API}/group?limit=2"),
        format!("{API}/group/picker?query=dev"),
        format!("{API}/group/by-name?name=developers"),
        format!("{API}/group/by-name?name=nobody"),
        format!("{API}/group/by-id?id={devs}"),
        format!("{API}/group/member?name=developers&shouldReturnTotalSize=true"),
        format!("{API}/group/member?name=developers&start=x"),
        format!("{API}/search/user?cql={}", enc("user.fullname ~ \"ada\"")),
        format!("{API}/search/user?cql={}", enc("type = page")),
    ];
    for (template, _) in direct_gets() {
        assert!(
            cases.iter().any(|c| c.split('?').next() == Some(template)),
            "no case asks the direct route {template}: add one"
        );
    }
    let http = reqwest::Client::new();
    for case in &cases {
        for auth in [Some(admin.as_str()), Some(user.as_str()), None] {
            let direct = answer(&http, &format!("{}{case}", app.url), auth).await;
            let routed = answer(&http, &format!("{bare}{case}"), auth).await;
            assert_eq!(direct, routed, "{case} as {auth:?}: the direct path and the router disagree");
        }
    }
}
