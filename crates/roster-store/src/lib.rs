//! roster-store: durable implementations of [`roster_records::Store`].
//!
//! [`SqliteStore`] is the default: an embedded SQLite file in WAL mode with
//! `synchronous=FULL`, written by a single writer thread that batches
//! concurrent commands into shared commits (group commit).
//!
//! [`PostgresStore`] serves several roster instances over one PostgreSQL
//! database: the same group commit per instance, plus a change log that
//! brings every instance's commits to every instance's model, in commit
//! order (see docs/deployment.md).

pub mod postgres;
pub mod sqlite;
mod stats;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
