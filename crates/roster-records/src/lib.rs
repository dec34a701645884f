//! roster-records: what a roster store holds and the protocol it is
//! written with. The domain records ([`User`], [`Group`], audit and import
//! records), the one [`Error`] type, the name rules both the directory and
//! the stores apply, and the [`Store`] trait: [`Command`]s in, [`Change`]s
//! out, in commit order.
//!
//! Only roster-core (the directory), roster-store (the backends) and the
//! binary that wires them depend on this crate. roster-http does not: it
//! reaches the records through roster-core's re-exports, which leave out
//! the store protocol, so a handler cannot write around the directory.

pub mod actor;
pub mod audit;
pub mod error;
pub mod import;
pub mod names;
pub mod store;
pub mod types;
pub mod usernames;

pub use actor::{Actor, Policy};
pub use error::{Error, Result};
pub use store::{Change, Command, Snapshot, Store};
pub use types::{Group, GroupId, NewGroup, NewUser, User, UserDetails, UserId};
