//! Who is calling, and the access policy that decides what they may do.
//! Permissions derive from group membership, as in Confluence: members of
//! an access group may use the site, members of an admin group administer
//! it.

use crate::types::UserId;

/// The caller of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The command line, working on the store directly: may do anything.
    System,
    /// No credentials.
    Anonymous,
    /// An authenticated user.
    User(UserId),
}

/// Which groups grant which permission, and whether anonymous callers may
/// read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub anonymous_access: bool,
    /// Members of any of these may use the site ("Can use").
    pub access_groups: Vec<String>,
    /// Members of any of these are site admins (and may also use the site).
    pub admin_groups: Vec<String>,
    /// Whether the snapshot routes (take, list, restore, forget) work; off
    /// for shared deployments, where a restore would undo others' changes.
    pub snapshots: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            anonymous_access: false,
            access_groups: vec!["confluence-users".into()],
            admin_groups: vec!["site-admins".into(), "confluence-administrators".into()],
            snapshots: true,
        }
    }
}
