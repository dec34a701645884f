//! The web console's static files under `/console`: served by roster
//! itself without credentials, each with its own content type, exactly the
//! bytes in crates/roster-http/console/. (What the console does is tested in
//! a real browser by tests/browser/.)

use reqwest::{redirect, Method};

use crate::helpers::{assert_error, TestApp};

/// Every file the console ships, with the content type it must carry.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../../../roster-http/console/index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/app.js")),
    ("api.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/api.js")),
    ("dom.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/dom.js")),
    ("search.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/search.js")),
    ("group.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/group.js")),
    ("user.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/user.js")),
    ("newuser.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/newuser.js")),
    ("audit.js", "text/javascript; charset=utf-8", include_str!("../../../roster-http/console/audit.js")),
    ("style.css", "text/css; charset=utf-8", include_str!("../../../roster-http/console/style.css")),
    ("icon.svg", "image/svg+xml", include_str!("../../../roster-http/console/icon.svg")),
];

fn content_type(r: &crate::helpers::Resp) -> &str {
    r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_console_page_is_served_without_credentials_as_html() {
    let app = TestApp::spawn().await;
    let r = app.anon().get("/console/").await;
    assert_eq!(r.status, 200);
    assert_eq!(content_type(&r), "text/html; charset=utf-8");
    assert_eq!(r.text, FILES[0].2);
    assert!(r.text.contains(r#"<script type="module" src="./app.js">"#));
    let csp = r.headers.get("content-security-policy").expect("a CSP").to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    // The API itself still wants credentials; only the static files are open.
    assert_error(&app.anon().get("/wiki/rest/api/group").await, 401);
}

#[tokio::test]
async fn the_sites_root_leads_a_browser_to_the_console() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let r = http.get(format!("{}/", app.url)).header("Accept", "text/html").send().await.unwrap();
    assert_eq!(r.status(), 307);
    assert_eq!(r.headers().get("location").unwrap(), "console/");
    let r = app.anon().get("/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, FILES[0].2, "followed, it is the console's page");
}

#[tokio::test]
async fn bare_console_path_redirects_to_the_page() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let r = http.get(format!("{}/console", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 307);
    assert_eq!(r.headers().get("location").unwrap(), "console/");
    // Followed, it lands on the page.
    let r = app.anon().get("/console").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, FILES[0].2);
}

#[tokio::test]
async fn every_console_file_is_served_with_its_content_type_and_bytes() {
    let app = TestApp::spawn().await;
    for (name, ty, body) in FILES {
        let r = app.anon().get(&format!("/console/{name}")).await;
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(content_type(&r), *ty, "{name}");
        assert_eq!(r.text, *body, "{name}");
        assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff", "{name}");
    }
}

#[tokio::test]
async fn every_file_the_console_refers_to_is_one_it_serves() {
    // index.html and the modules name their files as "./x.js" etc.; a file
    // missing from the binary would leave the console blank.
    for (name, _, body) in FILES {
        for (i, _) in body.match_indices("'./").chain(body.match_indices("\"./")) {
            let rest = &body[i + 3..];
            let file = &rest[..rest.find(['\'', '"']).unwrap()];
            assert!(FILES.iter().any(|(n, _, _)| *n == file), "{name} refers to {file}, which is not served");
        }
    }
}

#[tokio::test]
async fn console_files_ignore_credentials_even_wrong_ones() {
    let app = TestApp::spawn().await;
    let wrong = app.with_auth("Basic bm9ib2R5Om5vcGU=");
    let r = wrong.get("/console/app.js").await;
    assert_eq!(r.status, 200);
    assert_eq!(content_type(&r), "text/javascript; charset=utf-8");
}

#[tokio::test]
async fn unknown_console_files_and_writes_answer_in_the_json_error_shape() {
    let app = TestApp::spawn().await;
    assert_error(&app.anon().get("/console/nothing.js").await, 404);
    assert_error(&app.anon().get("/console/../Cargo.toml").await, 404);
    assert_error(&app.anon().get("/console/..%2FCargo.toml").await, 404);
    assert_error(&app.anon().get("/console/app.js/x").await, 404);
    assert_error(&app.admin().send(Method::POST, "/console/", None).await, 405);
}
