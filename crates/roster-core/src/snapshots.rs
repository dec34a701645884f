//! Named snapshots of the whole directory, kept in memory, for test suites
//! that reset roster between cases: take one after seeding, restore it
//! before each case. Restoring replaces users, groups, memberships and
//! tokens in one transaction and reloads the read model; the audit log is
//! history and is kept. Snapshots do not survive a restart.
//!
//! A restore never revives access silently: it works out what it changes
//! (`changes.rs`) from the store just before, answers with it, and writes a
//! `snapshot.restore` audit record (who, which snapshot, the counts and the
//! first names) in the restore's own transaction. The policy can switch
//! snapshots off (`snapshots = false`), for shared deployments: every call
//! is then refused with 403, whoever asks.

pub mod changes;

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::actor::Actor;
use crate::directory::Directory;
use crate::error::{Error, Result};
use crate::store::Snapshot;
use crate::types::now_ms;
pub use changes::RestoreChanges;

/// What a caller learns about a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub id: u64,
    pub users: usize,
    pub groups: usize,
    pub memberships: usize,
    pub created_ms: i64,
}

/// Snapshots by id, with what callers are told about each.
type Shelved = BTreeMap<u64, (SnapshotInfo, Arc<Snapshot>)>;

/// The snapshots taken so far (and the last id handed out).
#[derive(Default)]
pub struct Shelf {
    inner: Mutex<(u64, Shelved)>,
}

/// Most snapshots kept at once; the oldest goes first.
pub const MAX_SNAPSHOTS: usize = 32;

impl Shelf {
    /// Takes a snapshot of `dir` (site admins only).
    pub async fn take(&self, dir: &Directory, actor: &Actor) -> Result<SnapshotInfo> {
        allowed(dir, actor)?;
        let snap = dir.store().snapshot().await?;
        let mut g = self.inner.lock();
        g.0 += 1;
        let info = SnapshotInfo {
            id: g.0,
            users: snap.users.len(),
            groups: snap.groups.len(),
            memberships: snap.memberships.len(),
            created_ms: now_ms(),
        };
        g.1.insert(info.id, (info.clone(), Arc::new(snap)));
        while g.1.len() > MAX_SNAPSHOTS {
            g.1.pop_first();
        }
        Ok(info)
    }

    /// The snapshots on the shelf (site admins only).
    pub fn list(&self, dir: &Directory, actor: &Actor) -> Result<Vec<SnapshotInfo>> {
        allowed(dir, actor)?;
        Ok(self.inner.lock().1.values().map(|(i, _)| i.clone()).collect())
    }

    /// Restores snapshot `id` into `dir` (site admins only) and says what
    /// it changed. The changes are worked out from the store just before;
    /// a write committed between that read and the restore is undone by
    /// the restore but missing from the report.
    pub async fn restore(&self, dir: &Directory, actor: &Actor, id: u64) -> Result<(SnapshotInfo, RestoreChanges)> {
        allowed(dir, actor)?;
        let (info, snap) =
            self.inner.lock().1.get(&id).cloned().ok_or_else(|| Error::not_found("snapshot", id.to_string()))?;
        let now = dir.store().snapshot().await?;
        let changes = changes::compare(&now, &snap);
        drop(now);
        let mut record = dir.audit_base();
        record.action = "snapshot.restore".into();
        record.target_kind = "snapshot".into();
        record.target = info.id.to_string();
        record.target_name = format!("snapshot {}", info.id);
        record.detail = changes.audit_detail(info.created_ms);
        dir.store().restore_all((*snap).clone(), vec![record]).await?;
        Ok((info, changes))
    }

    /// Forgets snapshot `id` (site admins only).
    pub fn delete(&self, dir: &Directory, actor: &Actor, id: u64) -> Result<()> {
        allowed(dir, actor)?;
        self.inner.lock().1.remove(&id).map(|_| ()).ok_or_else(|| Error::not_found("snapshot", id.to_string()))
    }
}

/// Refuses when the policy switches snapshots off (403 for everyone, so the
/// answer does not depend on credentials), then requires a site admin.
fn allowed(dir: &Directory, actor: &Actor) -> Result<()> {
    let m = dir.read();
    if !m.policy().snapshots {
        return Err(Error::forbidden("Snapshots are switched off on this server (snapshots = false in roster.toml)"));
    }
    m.require_admin(actor)
}
