//! The import set: users, groups and memberships as written by the
//! dataset generator, already parsed and validated line by line.

use crate::types::{NewGroup, NewUser};

/// A membership by public identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMembership {
    pub group_uuid: String,
    pub account_id: String,
    /// Where the record came from, for error messages (`file:line`).
    pub origin: String,
}

/// A validated batch to load in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportSet {
    pub users: Vec<(NewUser, String)>,
    pub groups: Vec<(NewGroup, String)>,
    pub memberships: Vec<ImportMembership>,
}

impl ImportSet {
    /// Number of records in the set.
    pub fn len(&self) -> usize {
        self.users.len() + self.groups.len() + self.memberships.len()
    }
    /// Whether the set holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
