//! The operations the server's OpenAPI description lists, read from
//! `/rest/roster/1.0/openapi.json`: what the permission matrix and the
//! golden-body coverage check walk, so that a new route is seen by both.

use reqwest::Method;

use crate::helpers::TestApp;

/// An operation of the description: method, path template, operation id.
pub struct Described {
    pub method: Method,
    pub path: String,
    pub id: String,
}

pub async fn described(app: &TestApp) -> Vec<Described> {
    let doc = app.anon().get("/rest/roster/1.0/openapi.json").await.body;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else { continue };
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            out.push(Described { method, path: path.clone(), id: id.to_string() });
        }
    }
    out
}
