//! One module per command. Each works on the store directly through the
//! directory's doors (`reader`, `admin`), as the `System` actor, with the
//! API's validation.

pub mod audit;
pub mod clone;
pub mod diff;
pub mod export;
pub mod group;
pub mod import;
pub mod member;
pub mod migrate_store;
pub mod reset;
pub mod serve;
pub mod snapshot;
pub mod token;
pub mod user;

use roster_core::directory::Reader;
use roster_core::model::UserEntry;
use roster_core::{Error, Result};

/// Finds a user by account id, username or e-mail address.
pub fn find_user<'m>(m: &'m Reader<'_>, who: &str) -> Result<&'m UserEntry> {
    m.user_by_account(who)
        .or_else(|_| m.user_by_username(who))
        .or_else(|e| m.user_by_email(who).ok_or(e))
        .map_err(|_| Error::not_found("user", who.to_string()))
}
