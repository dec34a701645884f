//! The OpenAPI 3.1 description of every route roster serves, generated from
//! the code and served at [`PATH`] (no credentials needed).
//!
//! Each handler carries `#[utoipa::path]`, and each dialect registers its
//! routes with `utoipa_axum::routes!`, which adds the handler to the router
//! and its description to the document in one step. [`api`] assembles all
//! dialects once; the router that answers requests ([`crate::router`]) and
//! the document ([`document`]) are both taken from it, so a route cannot be
//! served without being described. The schemas are types in `openapi/`
//! (one file per dialect). DC and Extender answers and expanded Cloud users
//! are those types, serialized. The plain Cloud user and group objects are
//! written from cached bytes (the fast paths), which a unit test compares
//! with their types serialized; the other Cloud bodies are still written by
//! hand, so their types only describe them, checked against the running
//! server by the schemathesis run in tests/schemathesis.

pub mod cloud;
pub mod common;
pub mod dc;
pub mod extender;
pub mod testkit;
pub mod users;
pub mod v2;

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Where the description is served.
pub const PATH: &str = "/rest/roster/1.0/openapi.json";

/// The context path DC and Extender are also served under.
const CONTEXT: &str = "/confluence/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roster",
        description = "A self-hosted server speaking Confluence's user and group REST APIs: Cloud v1 \
                       (/wiki/rest/api), Cloud v2's user operations (/wiki/api/v2), Data Center core REST (/rest/api) and Extender for Confluence \
                       (/rest/extender/1.0), the latter two also under the /confluence context path; plus \
                       roster's own operational and test-suite endpoints. Every error answer is the Error schema, \
                       except under /wiki/api/v2, where it is the V2Error schema.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(common::ErrorBody, v2::ErrorBody)),
    tags(
        (name = "Cloud", description = "Confluence Cloud REST v1, under /wiki/rest/api"),
        (name = "Cloud v2", description = "Confluence Cloud REST v2, under /wiki/api/v2: the user operations"),
        (name = "Data Center", description = "Confluence Data Center core REST, under /rest/api and /confluence/rest/api"),
        (name = "Extender", description = "Extender for Confluence, under /rest/extender/1.0 and /confluence/rest/extender/1.0"),
        (name = "Operations", description = "Health, readiness and Prometheus metrics"),
        (name = "roster", description = "roster's own endpoints: test-suite snapshots, reset and diff, the fixture schema, the request journal, fault injection, the console's user administration (search, tokens, filtered members) and this description"),
    )
)]
struct Doc;

/// Every described route of every dialect, with its description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .merge(crate::dialects::cloud::routes())
        .routes(routes!(crate::operations::audit::list))
        .merge(crate::dialects::v2::routes())
        .merge(crate::dialects::dc::routes())
        .merge(crate::dialects::extender::routes())
        .merge(crate::operations::health::routes())
        .merge(crate::operations::snapshots::routes())
        .routes(routes!(crate::operations::fixture_schema::serve))
        .merge(crate::operations::requests::routes())
        .merge(crate::operations::faults::routes())
        .merge(crate::operations::users::routes())
        .routes(routes!(serve))
}

/// The description as JSON bytes, built once.
pub fn document() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        let value = serde_json::to_value(api().into_openapi()).unwrap_or(Value::Null);
        finish(value).to_string().into_bytes()
    })
}

/// What the generator cannot say by itself: wildcard segments are plain
/// parameters in OpenAPI (`{*group}` is `{group}`); the DC and Extender
/// copies under `/confluence`, and the second method of a handler serving
/// two, get operation ids of their own; every
/// operation answers errors in the one Error shape (Cloud v2's in its own); Basic and Bearer
/// credentials (or none, where anonymous access is on).
fn finish(mut doc: Value) -> Value {
    let mut seen = std::collections::HashSet::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let old = std::mem::take(paths);
        for (path, mut item) in old {
            let copy = path.starts_with(CONTEXT);
            for (method, op) in item.as_object_mut().into_iter().flat_map(|m| m.iter_mut()) {
                let Some(op) = op.as_object_mut() else { continue };
                if let Some(Value::String(id)) = op.get_mut("operationId") {
                    if copy {
                        *id = format!("confluence_{id}");
                    }
                    // One handler for two methods (Extender's user/add).
                    if !seen.insert(id.clone()) {
                        *id = format!("{id}_{method}");
                    }
                }
                if let Some(Value::Object(responses)) = op.get_mut("responses") {
                    let shape = if crate::dialects::v2::serves(&path) { "V2Error" } else { "Error" };
                    responses
                        .entry("default")
                        .or_insert_with(|| json!({"$ref": format!("#/components/responses/{shape}")}));
                }
            }
            paths.insert(path.replace("{*", "{"), item);
        }
    }
    let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
    if let Some(Value::Object(c)) = components {
        let responses = c.entry("responses").or_insert_with(|| Value::Object(Map::new()));
        responses["Error"] = json!({
            "description": "Any error: the one JSON error shape, whatever the status",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        });
        responses["V2Error"] = json!({
            "description": "Any error under /wiki/api/v2: Cloud REST v2's error envelope, whatever the status",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2Error"}}}
        });
        c.insert(
            "securitySchemes".into(),
            json!({
                "basic": {"type": "http", "scheme": "basic",
                          "description": "login (username or e-mail) and an API token or password"},
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"}
            }),
        );
    }
    doc["security"] = json!([{"basic": []}, {"bearer": []}, {}]);
    merge_flattened(&mut doc);
    doc
}

/// utoipa writes a `#[serde(flatten)]` field as `allOf` of the flattened
/// type and the struct's own fields, and a flattened type that refuses
/// unknown fields (`additionalProperties: false`, from serde's
/// `deny_unknown_fields`) then refuses the struct's own fields too: no
/// answer could match. Such a schema becomes one object with the fields of
/// both, closed when either branch was.
fn merge_flattened(doc: &mut Value) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object).cloned() else { return };
    let resolve = |branch: &Value| match branch.get("$ref").and_then(Value::as_str) {
        Some(r) => schemas.get(r.trim_start_matches("#/components/schemas/")).cloned(),
        None => Some(branch.clone()),
    };
    let Some(out) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for schema in out.values_mut() {
        let Some(branches) = schema.get("allOf").and_then(Value::as_array) else { continue };
        let resolved: Option<Vec<Value>> = branches.iter().map(resolve).collect();
        let Some(resolved) = resolved.filter(|bs| bs.iter().all(|b| b.get("properties").is_some())) else { continue };
        let (mut properties, mut required, mut closed) = (Map::new(), Vec::new(), false);
        for b in &resolved {
            properties.extend(b["properties"].as_object().cloned().unwrap_or_default());
            required.extend(b.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
            closed |= b.get("additionalProperties") == Some(&Value::Bool(false));
        }
        let mut merged = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            merged["required"] = Value::Array(required);
        }
        if closed {
            merged["additionalProperties"] = Value::Bool(false);
        }
        if let Some(d) = schema.get("description") {
            merged["description"] = d.clone();
        }
        *schema = merged;
    }
}

/// `GET /rest/roster/1.0/openapi.json`: this description.
#[utoipa::path(
    get,
    path = "/rest/roster/1.0/openapi.json",
    tag = "roster",
    operation_id = "openapiDescription",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 description of every route", body = Object))
)]
async fn serve() -> Response {
    let mut r = document().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    r
}
