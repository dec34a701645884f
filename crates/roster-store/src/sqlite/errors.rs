//! The one place SQLite errors become domain errors: unique violations are
//! conflicts, foreign-key violations mean a referenced record is gone,
//! everything else is internal (and never shown to callers).

use roster_core::Error;
use rusqlite::ffi::ErrorCode;

/// Maps a SQLite error raised while writing `what` (`user`, `group`, ...).
pub fn map(e: rusqlite::Error, what: &'static str, key: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == ErrorCode::ConstraintViolation {
            let msg = msg.as_deref().unwrap_or("");
            if msg.contains("FOREIGN KEY") {
                return Error::not_found("user or group", key.to_string());
            }
            if msg.contains("UNIQUE") {
                let field = msg.rsplit('.').next().unwrap_or("").replace("_lower", "");
                return Error::exists(what, format!("{field} {key}").trim().to_string());
            }
        }
    }
    Error::Internal(anyhow::anyhow!("sqlite: {e}"))
}
