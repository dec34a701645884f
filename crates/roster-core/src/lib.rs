//! roster-core: the directory, the one door into a roster store.
//!
//! [`Directory`] checks permissions, applies the domain's rules (name
//! validation, id minting, the default access group, keeping an admin
//! group), sends commands to the store and keeps the in-memory read model in
//! step with every commit. The records it speaks of and the store protocol
//! live in roster-records; this crate re-exports the records but not the
//! protocol, so its callers (HTTP, CLI) can only write through the
//! directory. It knows nothing of HTTP or SQL.

pub mod context;
pub mod credentials;
pub mod directory;
pub mod fixtures;
pub mod model;
pub mod page;
pub mod snapshots;

// The records and rules every layer shares. The store protocol (`Store`,
// `Command`, `Change`) is not among them: only the directory writes.
pub(crate) use roster_records::store;
pub use roster_records::{actor, audit, error, import, names, types, usernames};

pub use actor::{Actor, Policy};
pub use directory::Directory;
pub use error::{Error, Result};
pub use page::{Page, Slice};
pub use types::{Group, GroupId, NewGroup, NewUser, User, UserDetails, UserId};
