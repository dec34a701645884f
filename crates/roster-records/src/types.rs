//! Domain records: users and groups as roster stores them, independent of
//! any wire dialect.

use std::sync::Arc;

/// Internal, dense identifier of a user (never shown on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// Internal, dense identifier of a group (the wire uses [`Group::uuid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub i64);

/// Profile fields Confluence calls "details": business and personal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UserDetails {
    pub position: String,
    pub department: String,
    pub location: String,
    pub phone: String,
    pub im: String,
    pub website: String,
    /// An IANA time zone name (`Europe/Berlin`); empty when unknown.
    pub time_zone: String,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct User {
    pub id: UserId,
    /// Cloud identity, unique, case-sensitive.
    pub account_id: Arc<str>,
    /// `atlassian`, `app` or `customer`.
    pub account_type: Arc<str>,
    /// Data Center login name (lower case), absent for Cloud-only accounts.
    pub username: Option<Arc<str>>,
    /// Data Center user key: stable 32-hex identifier.
    pub user_key: Arc<str>,
    pub display_name: Arc<str>,
    /// Empty when the account has no address (apps).
    pub email: Arc<str>,
    /// Deactivated users keep their data but cannot sign in or be used.
    pub active: bool,
    /// argon2id PHC string, when the user has a password.
    pub password_hash: Option<Arc<str>>,
    pub details: UserDetails,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub last_login_ms: Option<i64>,
    pub last_failed_login_ms: Option<i64>,
}

/// What a caller supplies to create a user; the store assigns the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub account_id: String,
    pub account_type: String,
    pub username: Option<String>,
    pub user_key: String,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    pub password_hash: Option<String>,
    pub details: UserDetails,
    pub created_ms: i64,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    pub id: GroupId,
    /// Public identifier (a UUID), stable across renames and restores.
    pub uuid: Arc<str>,
    /// Name as created (case preserved); unique case-insensitively.
    pub name: Arc<str>,
    pub created_ms: i64,
}

/// What a caller supplies to create a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub uuid: String,
    pub name: String,
    pub created_ms: i64,
}

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Case-insensitive comparison key for names, e-mails and usernames.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}
