//! The storage boundary. A [`Store`] durably applies [`Command`]s (the
//! domain's write verbs) and reports what each changed as [`Change`]s, in
//! commit order, to the [`CommitListener`] that keeps the read model in
//! step. No SQL type crosses this boundary.

use std::sync::Arc;

use async_trait::async_trait;

use crate::audit::{AuditPage, AuditQuery, AuditRecord};
use crate::error::{Error, Result};
use crate::import::ImportSet;
use crate::types::{Group, GroupId, NewGroup, NewUser, User, UserId};

/// A write, as a domain verb.
#[derive(Debug, Clone)]
pub enum Command {
    CreateUser(NewUser),
    /// Replaces the stored user with this record (same id).
    UpdateUser(User),
    /// Deletes the user with its memberships and tokens.
    DeleteUser(UserId),
    CreateGroup(NewGroup),
    DeleteGroup(GroupId),
    AddMember {
        group: GroupId,
        user: UserId,
    },
    RemoveMember {
        group: GroupId,
        user: UserId,
    },
    AddToken {
        user: UserId,
        hash: [u8; 32],
        label: String,
        created_ms: i64,
    },
    RevokeTokens {
        user: UserId,
    },
    /// Appends a row to the audit log (reports [`Change::Unchanged`]).
    /// The directory adds one to every `apply` call that changes something,
    /// so the record commits with the change it describes.
    Audit(AuditRecord),
    /// A precondition, checked where it stands in the call (after the
    /// commands before it) inside the committing transaction: unless a group
    /// named, case-insensitively, one of `names` (the admin groups) then
    /// exists, the whole call fails with [`last_admin_group`]`(field)`.
    /// The directory appends it to every call that deletes an admin group,
    /// so concurrent deletions through any dialect or instance cannot
    /// remove them all. Reports [`Change::Unchanged`].
    KeepAnAdminGroup {
        names: Vec<String>,
        field: &'static str,
    },
    /// `command` with its audit record, which the store appends only when
    /// the command changed something (in the same statement where it can):
    /// of two concurrent calls adding the same member, only the one that
    /// added it leaves a record. The directory wraps membership commands
    /// this way. Reports `command`'s change.
    WithAudit {
        command: Box<Command>,
        record: Box<AuditRecord>,
    },
}

/// The refusal of a change that would remove every site-admin group (and so
/// lock every admin out); `field` names the request field in the 400.
pub fn last_admin_group(field: &'static str) -> Error {
    Error::invalid(field, "cannot remove the last site-admin group")
}

/// What one command did, as applied to the read model.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "changes live only from a commit to the model update; a saved user is the common case, not worth a box"
)]
pub enum Change {
    UserSaved(User),
    UserDeleted(UserId),
    GroupCreated(Group),
    GroupDeleted(GroupId),
    MemberAdded {
        group: GroupId,
        user: UserId,
    },
    MemberRemoved {
        group: GroupId,
        user: UserId,
    },
    TokenAdded {
        user: UserId,
        hash: [u8; 32],
    },
    TokensRevoked {
        user: UserId,
    },
    /// The command was valid but found nothing to change (an existing
    /// membership added again, a missing one removed).
    Unchanged,
    /// Many records changed at once (an import): reload everything.
    Reloaded(Box<Snapshot>),
}

/// Everything the read model is built from.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    /// `(group, user)` pairs, sorted by group then user.
    pub memberships: Vec<(GroupId, UserId)>,
    /// `(token hash, owner)` pairs.
    pub tokens: Vec<([u8; 32], UserId)>,
}

/// A snapshot kept in the store (test-suite resets): what is known of it
/// without reading its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSnapshot {
    /// Handed out by the store, never reused.
    pub id: u64,
    /// Unique when set (`seed`, or a name the suite chose).
    pub name: Option<String>,
    pub created_ms: i64,
    pub users: usize,
    pub groups: usize,
    pub memberships: usize,
}

/// Counts reported by an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub users_added: usize,
    pub users_updated: usize,
    pub groups_added: usize,
    pub memberships_added: usize,
    pub unchanged: usize,
}

/// Receives every committed change, in commit order, before the writers
/// that caused them are answered.
pub trait CommitListener: Send + Sync + 'static {
    /// Called once per commit with the changes of all commands in it.
    fn committed(&self, changes: &[Change]);
}

/// A durable store of users, groups, memberships and tokens.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Reads the whole directory (used at start-up to build the model).
    async fn snapshot(&self) -> Result<Snapshot>;

    /// Applies `commands` atomically: all of them or none. Returns once the
    /// change is durable; concurrent callers may share one commit.
    async fn apply(&self, commands: Vec<Command>) -> Result<Vec<Change>>;

    /// Loads a validated import set in one transaction.
    async fn import(&self, set: ImportSet) -> Result<ImportReport>;

    /// Records successful and failed sign-ins. Not on the durable path:
    /// a crash may lose the most recent few.
    async fn record_logins(&self, logins: Vec<(UserId, bool, i64)>) -> Result<()>;

    /// Registers the listener that mirrors commits into the read model.
    fn set_listener(&self, listener: Arc<dyn CommitListener>);

    /// A short description for logs (`sqlite:/path/roster.db`).
    fn describe(&self) -> String;

    /// Store figures in Prometheus text format (commit latency, group-commit
    /// batch sizes, size on disk), for `/metrics`. None when not tracked.
    fn metrics_text(&self) -> Option<String> {
        None
    }

    /// Replaces every user, group, membership and token with `snapshot`'s,
    /// atomically (test-suite resets). The audit log is kept.
    async fn replace_all(&self, snapshot: Snapshot) -> Result<()> {
        let _ = snapshot;
        Err(Error::Internal(anyhow::anyhow!("the store {} cannot restore snapshots", self.describe())))
    }

    /// [`Store::replace_all`] for a snapshot restore: `audit` (the records
    /// describing it) is appended to the audit log in the same transaction.
    /// The default, for stores without one, writes them right after.
    async fn restore_all(&self, snapshot: Snapshot, audit: Vec<AuditRecord>) -> Result<()> {
        self.replace_all(snapshot).await?;
        self.apply(audit.into_iter().map(Command::Audit).collect()).await.map(|_| ())
    }

    /// Keeps `body` (a serialized snapshot, opaque to the store) durably
    /// under `info` (its `id` is ignored; the new one is answered). A kept
    /// snapshot of the same name is replaced; unnamed ones beyond
    /// `keep_unnamed` go, oldest first. Stores without a shelf say so.
    async fn keep_snapshot(&self, info: KeptSnapshot, body: Vec<u8>, keep_unnamed: usize) -> Result<u64> {
        let _ = (info, body, keep_unnamed);
        Err(Error::Internal(anyhow::anyhow!("the store {} cannot keep snapshots", self.describe())))
    }

    /// The kept snapshots, oldest first.
    async fn kept_snapshots(&self) -> Result<Vec<KeptSnapshot>> {
        Ok(Vec::new())
    }

    /// The body of kept snapshot `id`, if it is still kept.
    async fn kept_snapshot_body(&self, id: u64) -> Result<Option<Vec<u8>>> {
        let _ = id;
        Ok(None)
    }

    /// Forgets kept snapshot `id`; false when there was none.
    async fn forget_snapshot(&self, id: u64) -> Result<bool> {
        let _ = id;
        Ok(false)
    }

    /// Searches the audit log, newest first. Stores without one say so.
    async fn audit(&self, query: AuditQuery) -> Result<AuditPage> {
        let _ = query;
        Err(Error::Internal(anyhow::anyhow!("the store {} keeps no audit log", self.describe())))
    }

    /// Finishes the writes already queued, then stops the store's writer
    /// and returns once its connections are closed, so the store can be
    /// opened again at once (by this process or another). Writes sent
    /// after it fail. Closing twice is harmless; the default, for stores
    /// without a writer of their own, does nothing.
    async fn close(&self) {}
}
