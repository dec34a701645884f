//! Audit records: one row per change (group create/delete, membership
//! add/remove, user create/update/deactivate/delete, token issue/revoke)
//! and per refused authentication. Rows of a change are written by the same
//! `Store::apply` call as the change itself (see `directory::audited`), so
//! a change and its record commit or vanish together. Secrets never enter a
//! record: tokens and passwords are not fields of any command the audit
//! describes, and refused logins record only the login name.

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditRecord {
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Account id of the caller, `system` (command line, start-up) or `anonymous`.
    pub actor: String,
    /// Display name of the caller at the time.
    pub actor_name: String,
    /// Source address of the request (`local` for the command line).
    pub source: String,
    /// Roster's id for the request (`r` and hex, never one the caller
    /// sent; see `context::RequestId`); empty for the command line.
    pub request_id: String,
    /// What was done, e.g. `group.create`, `member.add`, `auth.refused`.
    pub action: String,
    /// Kind of the target: `group`, `user` or `login`.
    pub target_kind: String,
    /// Stable id of the target (group UUID, account id, presented login).
    pub target: String,
    /// Human name of the target (group name, display name).
    pub target_name: String,
    /// A second object the action concerns (the member of `member.add`).
    pub object: String,
    /// `success` or `denied`.
    pub outcome: String,
    /// Free text (token label, changed fields, throttle delay).
    pub detail: String,
}

impl AuditRecord {
    /// The Cloud category of the action (`Users and groups`, `Security`).
    pub fn category(&self) -> &'static str {
        if self.action.starts_with("auth.") || self.action.starts_with("token.") {
            "Security"
        } else {
            "Users and groups"
        }
    }

    /// A one-line summary as shown in Cloud's audit log.
    pub fn summary(&self) -> String {
        let what = match self.action.as_str() {
            "group.create" => "Group created",
            "group.delete" => "Group deleted",
            "member.add" => "User added to group",
            "member.remove" => "User removed from group",
            "user.create" => "User created",
            "user.update" => "User details updated",
            "user.deactivate" => "User deactivated",
            "user.reactivate" => "User reactivated",
            "user.delete" => "User deleted",
            "token.issue" => "API token issued",
            "token.revoke" => "API tokens revoked",
            "auth.refused" => "Authentication refused",
            "auth.throttled" => "Authentication throttled",
            "snapshot.restore" => "Snapshot restored",
            other => other,
        };
        what.to_string()
    }
}

/// A search of the audit log: newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only records at or after this time (ms).
    pub start_ms: Option<i64>,
    /// Only records at or before this time (ms).
    pub end_ms: Option<i64>,
    /// Case-insensitive text that must occur in actor, target, action or detail.
    pub search: Option<String>,
    pub start: usize,
    pub limit: usize,
}

/// One page of audit records and whether more follow.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    pub has_more: bool,
}
