//! roster-core: the domain of a Confluence-style user and group directory.
//!
//! Owns the domain types ([`User`], [`Group`]), validation of names, the one
//! [`Error`] type every layer speaks, the [`Store`] trait that durable backends
//! implement, and the [`Directory`]: the service that checks permissions,
//! validates input, sends commands to the store and keeps the in-memory
//! read model in step with every commit. It knows nothing of HTTP or SQL.

pub mod actor;
pub mod audit;
pub mod context;
pub mod credentials;
pub mod directory;
pub mod error;
pub mod import;
pub mod json_text;
pub mod model;
pub mod names;
pub mod page;
pub mod snapshots;
pub mod store;
pub mod types;
pub mod usernames;

pub use actor::{Actor, Policy};
pub use directory::Directory;
pub use error::{Error, Result};
pub use model::Model;
pub use page::{Page, Slice};
pub use store::{Change, Command, Snapshot, Store};
pub use types::{Group, GroupId, NewGroup, NewUser, User, UserDetails, UserId};
