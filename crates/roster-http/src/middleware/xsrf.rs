//! The XSRF rule, for every dialect (Atlassian's, as its REST plugin
//! applies it): a mutating request (POST, PUT, DELETE, PATCH) is refused
//! with 403 `XSRF check failed` when its body is of a type a browser form
//! can send cross-site (`application/x-www-form-urlencoded`,
//! `multipart/*`, `text/plain`) or when it carries an `Origin` other than
//! this server's, unless it sends `X-Atlassian-Token: no-check`. JSON
//! requests from scripts (no `Origin`) pass without the header.

use axum::http::{header, HeaderMap, Method};

/// The message of every refusal.
pub const MESSAGE: &str = "XSRF check failed";

fn is_mutating(m: &Method) -> bool {
    matches!(*m, Method::POST | Method::PUT | Method::DELETE | Method::PATCH)
}

/// Whether the content type is one a cross-site form can produce.
pub fn forgeable_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    media == "application/x-www-form-urlencoded" || media == "text/plain" || media.starts_with("multipart/")
}

fn origin_of(url: &str) -> &str {
    // scheme://authority, without any path.
    match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or(url, |j| &url[..i + 3 + j]),
        None => url,
    }
}

/// Whether `origin` is this server: its public URL, or the Host it was asked by.
fn same_origin(origin: &str, headers: &HeaderMap, public_url: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    if origin.eq_ignore_ascii_case(origin_of(public_url)) {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    ["http://", "https://"].iter().any(|s| {
        origin.len() == s.len() + host.len()
            && origin[..s.len()].eq_ignore_ascii_case(s)
            && origin[s.len()..].eq_ignore_ascii_case(host)
    })
}

/// Whether the rule refuses a request with these parts.
pub fn refuses(method: &Method, headers: &HeaderMap, public_url: &str) -> bool {
    if !is_mutating(method) {
        return false;
    }
    let no_check = headers
        .get_all("x-atlassian-token")
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.trim().eq_ignore_ascii_case("no-check")));
    if no_check {
        return false;
    }
    let forgeable = headers.get_all(header::CONTENT_TYPE).iter().any(|v| v.to_str().map_or(true, forgeable_type));
    let foreign = headers
        .get_all(header::ORIGIN)
        .iter()
        .any(|v| v.to_str().map_or(true, |o| !same_origin(o, headers, public_url)));
    forgeable || foreign
}
