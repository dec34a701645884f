//! roster-store: durable implementations of [`roster_core::Store`].
//!
//! [`SqliteStore`] is the default: an embedded SQLite file in WAL mode with
//! `synchronous=FULL`, written by a single writer thread that batches
//! concurrent commands into shared commits (group commit).

pub mod sqlite;

pub use sqlite::SqliteStore;
