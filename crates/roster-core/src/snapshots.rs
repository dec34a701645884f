//! Snapshots of the whole directory for test suites that reset roster
//! between cases. They are kept in the store (`Store::keep_snapshot`, the
//! `snapshots` table; the body is the snapshot file of `file.rs`), so they
//! survive a restart and a CLI `roster reset` beside a running server can
//! use them. The state after start-up seeding is kept as the snapshot named
//! `seed` ([`SEED`]), which a reset goes back to. Restoring replaces users,
//! groups, memberships and tokens in one transaction and reloads the read
//! model; the audit log is history and is kept.
//!
//! A restore never revives access silently: it works out what it changes
//! (`changes.rs`) from the read model just before, answers with it, and writes a
//! `snapshot.restore` audit record (who, which snapshot, the counts and the
//! first names) in the restore's own transaction. A diff (`diff.rs`) is the
//! same comparison the other way round, in full. The policy can switch
//! snapshots off (`snapshots = false`), for shared deployments: every call
//! (reset and diff included) is then refused with 403, whoever asks.

pub mod changes;
pub mod diff;
pub mod file;
mod pairs;

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::actor::Actor;
use crate::directory::Directory;
use crate::error::{Error, Result};
use crate::store::{KeptSnapshot, Snapshot};
use crate::types::now_ms;
pub use changes::RestoreChanges;
pub use diff::Diff;

/// The name of the state after start-up seeding, which a reset goes back to.
pub const SEED: &str = "seed";

/// What a caller learns about a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub id: u64,
    pub name: Option<String>,
    pub users: usize,
    pub groups: usize,
    pub memberships: usize,
    pub created_ms: i64,
}

impl From<&KeptSnapshot> for SnapshotInfo {
    fn from(k: &KeptSnapshot) -> Self {
        SnapshotInfo {
            id: k.id,
            name: k.name.clone(),
            users: k.users,
            groups: k.groups,
            memberships: k.memberships,
            created_ms: k.created_ms,
        }
    }
}

/// Most unnamed snapshots kept at once; the oldest goes first. Named ones
/// stay until deleted or replaced by one of the same name.
pub const MAX_SNAPSHOTS: usize = 32;

/// Decoded snapshots kept in memory at once, so repeated resets to the
/// same snapshot do not parse its file each time.
const DECODED: usize = 4;

/// A snapshot name: 1 to 64 of `[A-Za-z0-9._-]`, not only digits (a
/// number names a snapshot by id).
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !name.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("name", "a snapshot name is 1 to 64 letters, digits, '.', '_' or '-', not only digits"))
    }
}

/// The snapshots kept in the store, with the ones decoded lately.
#[derive(Default)]
pub struct Shelf {
    decoded: Mutex<HashMap<u64, Arc<Snapshot>>>,
}

impl Shelf {
    /// Takes a snapshot of `dir`, named or not (site admins only). A name
    /// already in use now names this one.
    pub async fn take(&self, dir: &Directory, actor: &Actor, name: Option<&str>) -> Result<SnapshotInfo> {
        allowed(dir, actor)?;
        if let Some(n) = name {
            check_name(n)?;
        }
        let snap = dir.store().snapshot().await?;
        self.keep(dir, snap, name, now_ms()).await
    }

    async fn keep(&self, dir: &Directory, snap: Snapshot, name: Option<&str>, created_ms: i64) -> Result<SnapshotInfo> {
        let mut kept = KeptSnapshot {
            id: 0,
            name: name.map(str::to_string),
            created_ms,
            users: snap.users.len(),
            groups: snap.groups.len(),
            memberships: snap.memberships.len(),
        };
        let body = file::encode(&snap, name, created_ms);
        kept.id = dir.store().keep_snapshot(kept.clone(), body, MAX_SNAPSHOTS).await?;
        self.remember(kept.id, Arc::new(snap));
        Ok(SnapshotInfo::from(&kept))
    }

    fn remember(&self, id: u64, snap: Arc<Snapshot>) {
        let mut d = self.decoded.lock();
        while d.len() >= DECODED {
            let Some(oldest) = d.keys().min().copied() else { break };
            d.remove(&oldest);
        }
        d.insert(id, snap);
    }

    /// Keeps the directory's state as the seed snapshot: always when
    /// `fresh` (it was just seeded), otherwise only if there is none yet.
    /// Nothing is kept while the policy switches snapshots off.
    pub async fn keep_seed(&self, dir: &Directory, fresh: bool) -> Result<()> {
        if !dir.read().policy().snapshots {
            return Ok(());
        }
        if !fresh && dir.store().kept_snapshots().await?.iter().any(|k| k.name.as_deref() == Some(SEED)) {
            return Ok(());
        }
        self.take(dir, &Actor::System, Some(SEED)).await.map(drop)
    }

    /// The snapshots kept, oldest first (site admins only).
    pub async fn list(&self, dir: &Directory, actor: &Actor) -> Result<Vec<SnapshotInfo>> {
        allowed(dir, actor)?;
        Ok(dir.store().kept_snapshots().await?.iter().map(SnapshotInfo::from).collect())
    }

    /// The snapshot a key names: a number is an id, anything else a name.
    async fn find(&self, dir: &Directory, key: &str) -> Result<(SnapshotInfo, Arc<Snapshot>)> {
        let kept = dir.store().kept_snapshots().await?;
        let id = key.parse::<u64>().ok();
        let k = kept
            .iter()
            .find(|k| Some(k.id) == id || k.name.as_deref() == Some(key))
            .ok_or_else(|| Error::not_found("snapshot", key))?;
        let info = SnapshotInfo::from(k);
        if let Some(s) = self.decoded.lock().get(&k.id) {
            return Ok((info, s.clone()));
        }
        let body = dir.store().kept_snapshot_body(k.id).await?.ok_or_else(|| Error::not_found("snapshot", key))?;
        let snap = Arc::new(file::decode(&body)?.snapshot);
        self.remember(k.id, snap.clone());
        Ok((info, snap))
    }

    /// Restores the snapshot `key` names (an id or a name) into `dir` (site
    /// admins only) and says what it changed. The changes are worked out
    /// from the read model just before; a write committed between that read and
    /// the restore is undone by the restore but missing from the report.
    pub async fn restore(&self, dir: &Directory, actor: &Actor, key: &str) -> Result<(SnapshotInfo, RestoreChanges)> {
        allowed(dir, actor)?;
        let (info, snap) = self.find(dir, key).await?;
        self.put_back(dir, info, &snap).await
    }

    async fn put_back(
        &self,
        dir: &Directory,
        info: SnapshotInfo,
        snap: &Snapshot,
    ) -> Result<(SnapshotInfo, RestoreChanges)> {
        // The model is the store as of the last commit this process saw
        // (another process's commit reaches it within half a second), and
        // reading it costs a fraction of reading the store.
        let now = dir.read().to_snapshot();
        let changes = changes::compare(&now, snap);
        drop(now);
        let mut record = dir.audit_base();
        record.action = "snapshot.restore".into();
        record.target_kind = "snapshot".into();
        record.target = info.id.to_string();
        record.target_name = match &info.name {
            Some(n) => format!("snapshot {n}"),
            None => format!("snapshot {}", info.id),
        };
        record.detail = changes.audit_detail(info.created_ms);
        dir.store().restore_all(snap.clone(), vec![record]).await?;
        Ok((info, changes))
    }

    /// Puts the whole directory back to the seed state, or to the snapshot
    /// `to` names (site admins only); durable once answered.
    pub async fn reset(
        &self,
        dir: &Directory,
        actor: &Actor,
        to: Option<&str>,
    ) -> Result<(SnapshotInfo, RestoreChanges)> {
        self.restore(dir, actor, to.unwrap_or(SEED)).await
    }

    /// What changed since the snapshot `since` names, or since the seed
    /// (site admins only).
    pub async fn diff(&self, dir: &Directory, actor: &Actor, since: Option<&str>) -> Result<(SnapshotInfo, Diff)> {
        allowed(dir, actor)?;
        let (info, then) = self.find(dir, since.unwrap_or(SEED)).await?;
        let now = dir.read().to_snapshot();
        Ok((info, diff::diff(&then, &now)))
    }

    /// The snapshot file of the snapshot `key` names, or of the directory
    /// as it is now (site admins only).
    pub async fn save_file(&self, dir: &Directory, actor: &Actor, key: Option<&str>) -> Result<Vec<u8>> {
        allowed(dir, actor)?;
        Ok(match key {
            Some(key) => {
                let (info, snap) = self.find(dir, key).await?;
                file::encode(&snap, info.name.as_deref(), info.created_ms)
            }
            None => file::encode(&dir.store().snapshot().await?, None, now_ms()),
        })
    }

    /// Checks a snapshot file, keeps it under `name` (default: the seed, so
    /// a reset goes back to it) and, when `restore`, puts the directory in
    /// its state (site admins only). A bad file changes nothing.
    pub async fn load_file(
        &self,
        dir: &Directory,
        actor: &Actor,
        bytes: &[u8],
        name: Option<&str>,
        restore: bool,
    ) -> Result<(SnapshotInfo, Option<RestoreChanges>)> {
        allowed(dir, actor)?;
        let name = name.unwrap_or(SEED);
        check_name(name)?;
        let decoded = file::decode(bytes)?;
        let info = self.keep(dir, decoded.snapshot, Some(name), decoded.created_ms).await?;
        if !restore {
            return Ok((info, None));
        }
        let (_, snap) = self.find(dir, &info.id.to_string()).await?;
        let (info, changes) = self.put_back(dir, info, &snap).await?;
        Ok((info, Some(changes)))
    }

    /// Forgets the snapshot `key` names (site admins only).
    pub async fn delete(&self, dir: &Directory, actor: &Actor, key: &str) -> Result<()> {
        allowed(dir, actor)?;
        let kept = dir.store().kept_snapshots().await?;
        let id = key.parse::<u64>().ok();
        let k = kept
            .iter()
            .find(|k| Some(k.id) == id || k.name.as_deref() == Some(key))
            .ok_or_else(|| Error::not_found("snapshot", key))?;
        self.decoded.lock().remove(&k.id);
        dir.store().forget_snapshot(k.id).await?;
        Ok(())
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
