//! Fixture files people write by hand (docs/fixtures.md): users by
//! username or e-mail, groups by name, memberships as group name → users,
//! the access and admin groups, known passwords and tokens. This module
//! owns the format ([`format`], whose types also generate the JSON Schema),
//! reading files into a validated [`Plan`] or every [`Problem`] found (with
//! file, line and field), and the ids generated for records that give none.
//! Applying a plan to a directory is an `Admin` verb (`directory/import.rs`).

pub mod format;
mod ids;
mod parse;
mod plan;

pub use ids::{account_id_for, default_display_name, user_key_for};
pub use parse::{parse, MAX_PROBLEMS};
pub use plan::{Origin, Plan, PlanMembership, PlanUser, Problem, Problems};

use std::path::Path;

/// Reads and validates fixture files (YAML `.yaml`/`.yml` or JSON
/// `.json`, the same schema) into one plan. Memberships may name users and
/// groups of any of the files, and the `standing` groups (the importing
/// policy's access and admin groups) without the files listing them. Every
/// problem is reported, up to [`MAX_PROBLEMS`], and no plan is made when
/// there is any.
pub fn load<P: AsRef<Path>>(paths: &[P], standing: &[String]) -> Result<Plan, Problems> {
    let mut texts = Vec::with_capacity(paths.len());
    let mut problems = Problems::default();
    for p in paths {
        let name = p.as_ref().to_string_lossy().into_owned();
        match std::fs::read_to_string(p.as_ref()) {
            Ok(text) => texts.push((name, text)),
            Err(e) => problems.push(Problem::new(Origin::file(&name), "file", format!("cannot read: {e}"))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    parse(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())), standing)
}

/// The JSON Schema of the fixture format, as shipped in
/// `schemas/roster-fixture.schema.json` and served at
/// `/rest/roster/1.0/fixture-schema.json`.
pub fn schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(format::Fixture)).unwrap_or_default();
    drop_null_defaults(&mut schema);
    schema
}

/// Removes `"default": null`: an optional field is left out, never null
/// (the loader reads `~` as text), so the schema should not suggest null.
fn drop_null_defaults(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            if o.get("default").is_some_and(serde_json::Value::is_null) {
                o.remove("default");
            }
            o.values_mut().for_each(drop_null_defaults);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// The schema as the shipped file holds it: pretty-printed, newline-ended.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}
