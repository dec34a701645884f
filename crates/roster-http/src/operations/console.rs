//! The web console: static HTML, JavaScript modules and CSS under
//! `/console`, embedded in the binary at compile time. The console is a
//! plain client of the HTTP API (it signs every API call with the
//! credentials the user types in), so the assets themselves need no
//! authentication and this module never touches the directory.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;
use crate::wire::error::error_body;

/// One embedded file: its name under `/console/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset { name: $name, content_type: $type, body: include_bytes!(concat!("../../console/", $name)) }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every file the console consists of. `index.html` is also served at
/// `/console/` itself.
static ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("style.css", CSS),
    asset!("icon.svg", SVG),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("search.js", JS),
    asset!("group.js", JS),
    asset!("user.js", JS),
    asset!("newuser.js", JS),
    asset!("audit.js", JS),
];

/// The console's routes, at their full paths (merged into the root router).
/// The console's route templates (they are not in the OpenAPI description),
/// and the site's root, which leads a browser to the console.
pub const PATHS: [&str; 4] = ["/console", "/console/", "/console/{file}", "/"];

pub fn routes() -> Router<AppState> {
    Router::new()
        // Relative asset URLs in index.html resolve against `/console/`, so
        // the bare path redirects there rather than serving the page
        // (relative, so it also works behind a proxy that adds a prefix).
        .route(PATHS[0], get(|| async { Redirect::temporary("console/") }))
        .route(PATHS[1], get(|| async { serve("index.html") }))
        .route(PATHS[2], get(|Path(file): Path<String>| async move { serve(&file) }))
        // Someone who opens the address roster printed lands on the console.
        .route(PATHS[3], get(|| async { Redirect::temporary("console/") }))
}

fn serve(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return error_body(StatusCode::NOT_FOUND, "No resource at this path");
    };
    let mut resp = (StatusCode::OK, asset.body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    // Revalidate every time: the assets change with the binary, not the URL.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if asset.content_type == HTML {
        // Only our own scripts, styles and API; never framed (the page
        // holds credentials, so clickjacking matters).
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    resp
}
