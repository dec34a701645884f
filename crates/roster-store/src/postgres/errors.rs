//! The one place PostgreSQL errors become domain errors: unique violations
//! are conflicts, foreign-key violations mean a referenced record is gone,
//! everything else is internal (and never shown to callers).

use roster_records::Error;
use tokio_postgres::error::SqlState;

/// Maps an error raised while writing `what` (`user`, `group`, ...).
pub fn map(e: tokio_postgres::Error, what: &'static str, key: &str) -> Error {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::FOREIGN_KEY_VIOLATION {
            return Error::not_found("user or group", key.to_string());
        }
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            // Constraint names are PostgreSQL's defaults: `users_email_lower_key`.
            let constraint = db.constraint().unwrap_or("");
            let field = constraint
                .strip_prefix(db.table().unwrap_or(""))
                .unwrap_or(constraint)
                .trim_start_matches('_')
                .trim_end_matches("_key")
                .trim_end_matches("_pkey")
                .replace("_lower", "");
            return Error::exists(what, format!("{field} {key}").trim().to_string());
        }
    }
    internal(e)
}

/// Anything that is not the caller's fault.
pub fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("postgres: {e}"))
}
