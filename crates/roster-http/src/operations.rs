//! roster's own endpoints beside the dialects: health, readiness and
//! metrics, test-suite snapshots, the fixture format's JSON Schema, the
//! request journal and fault rules, the audit log, the web console, and the
//! OpenAPI description every route is registered through.

pub mod audit;
pub mod console;
pub mod faults;
pub mod fixture_schema;
pub mod health;
pub mod openapi;
pub mod requests;
pub mod reset;
pub mod snapshot_files;
pub mod snapshots;
pub mod users;
