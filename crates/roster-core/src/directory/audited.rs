//! The audit log's write side: a [`Store`] wrapper that the directory puts
//! around the real store. Every `apply` call that changes something gets
//! one [`AuditRecord`] per command appended to the *same* call, so the store
//! commits a change and its record atomically (one savepoint); the wrapper
//! returns only the changes of the caller's own commands. Who and where come
//! from the request context (see [`crate::context`]). A membership command
//! carries its record with it (`Command::WithAudit`): the store writes it
//! only if the command changed something, so a no-op (adding a present
//! member, removing an absent one, or losing a race to a concurrent call
//! making the same change) gets no record.

use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::RwLock;

use crate::audit::{AuditPage, AuditQuery, AuditRecord};
use crate::context;
use crate::error::Result;
use crate::import::ImportSet;
use crate::model::Model;
use crate::store::{Change, Command, CommitListener, ImportReport, KeptSnapshot, Snapshot, Store};
use crate::types::{now_ms, GroupId, User, UserId};

/// The real store plus the model used to name what commands touch.
pub(super) struct Audited {
    inner: Arc<dyn Store>,
    model: Arc<RwLock<Model>>,
}

impl Audited {
    pub(super) fn new(inner: Arc<dyn Store>, model: Arc<RwLock<Model>>) -> Self {
        Audited { inner, model }
    }
}

/// The record fields that say who did it and from where.
pub(super) fn who(m: &Model) -> AuditRecord {
    let from_request = context::with_current(|c| {
        let (actor, actor_name) = match c.user().and_then(|u| m.user(u)) {
            Some(e) => (e.user.account_id.to_string(), e.user.display_name.to_string()),
            None => ("anonymous".to_string(), "Anonymous".to_string()),
        };
        (actor, actor_name, c.source_text(), c.request_id.to_string())
    });
    let (actor, actor_name, source, request_id) = from_request
        .unwrap_or_else(|| ("system".to_string(), "roster".to_string(), "local".to_string(), String::new()));
    AuditRecord {
        at_ms: now_ms(),
        actor,
        actor_name,
        source,
        request_id,
        outcome: "success".into(),
        ..AuditRecord::default()
    }
}

fn group_target(m: &Model, id: GroupId, r: &mut AuditRecord) {
    r.target_kind = "group".into();
    if let Some(g) = m.group(id) {
        r.target = g.group.uuid.to_string();
        r.target_name = g.group.name.to_string();
    }
}

fn user_target(m: &Model, id: UserId, r: &mut AuditRecord) {
    r.target_kind = "user".into();
    if let Some(u) = m.user(id) {
        r.target = u.user.account_id.to_string();
        r.target_name = u.user.display_name.to_string();
    }
}

fn account(m: &Model, id: UserId) -> String {
    m.user(id).map(|u| u.user.account_id.to_string()).unwrap_or_default()
}

/// Names the fields an update changes (never their values: one may be a
/// password hash).
fn changed_fields(old: &User, new: &User) -> String {
    let mut f = Vec::new();
    let pairs: [(&str, bool); 7] = [
        ("accountType", old.account_type != new.account_type),
        ("username", old.username != new.username),
        ("displayName", old.display_name != new.display_name),
        ("email", old.email != new.email),
        ("active", old.active != new.active),
        ("password", old.password_hash != new.password_hash),
        ("details", old.details != new.details),
    ];
    for (name, changed) in pairs {
        if changed {
            f.push(name);
        }
    }
    f.join(",")
}

/// The record for one command, or None when it needs none.
fn record_for(m: &Model, base: &AuditRecord, cmd: &Command) -> Option<AuditRecord> {
    let mut r = base.clone();
    match cmd {
        Command::CreateUser(u) => {
            r.action = "user.create".into();
            r.target_kind = "user".into();
            r.target = u.account_id.clone();
            r.target_name = u.display_name.clone();
        }
        Command::UpdateUser(u) => {
            let old = m.user(u.id).map(|e| e.user.clone());
            r.action = match &old {
                Some(o) if o.active && !u.active => "user.deactivate",
                Some(o) if !o.active && u.active => "user.reactivate",
                _ => "user.update",
            }
            .into();
            r.detail = old.map(|o| changed_fields(&o, u)).unwrap_or_default();
            r.target_kind = "user".into();
            r.target = u.account_id.to_string();
            r.target_name = u.display_name.to_string();
        }
        Command::DeleteUser(id) => {
            r.action = "user.delete".into();
            user_target(m, *id, &mut r);
        }
        Command::CreateGroup(g) => {
            r.action = "group.create".into();
            r.target_kind = "group".into();
            r.target = g.uuid.clone();
            r.target_name = g.name.clone();
        }
        Command::DeleteGroup(id) => {
            r.action = "group.delete".into();
            group_target(m, *id, &mut r);
        }
        Command::AddMember { group, user } => {
            r.action = "member.add".into();
            group_target(m, *group, &mut r);
            r.object = account(m, *user);
        }
        Command::RemoveMember { group, user } => {
            r.action = "member.remove".into();
            group_target(m, *group, &mut r);
            r.object = account(m, *user);
        }
        Command::AddToken { user, label, .. } => {
            r.action = "token.issue".into();
            user_target(m, *user, &mut r);
            r.detail = format!("label: {label}");
        }
        Command::RevokeTokens { user } => {
            r.action = "token.revoke".into();
            user_target(m, *user, &mut r);
        }
        Command::Audit(_) | Command::KeepAnAdminGroup { .. } | Command::WithAudit { .. } => return None,
    }
    Some(r)
}

/// Hands the request context the records that were written: every one of
/// `written`, and each of `guarded` whose command changed something.
fn note_changes(changes: &[Change], guarded: &[(usize, AuditRecord)], written: &[AuditRecord]) {
    if guarded.is_empty() && written.is_empty() {
        return;
    }
    context::with_current(|c| {
        for (i, r) in guarded {
            if !matches!(changes.get(*i), Some(Change::Unchanged) | None) {
                c.note_change(r);
            }
        }
        for r in written {
            c.note_change(r);
        }
    });
}

#[async_trait]
impl Store for Audited {
    async fn snapshot(&self) -> Result<Snapshot> {
        self.inner.snapshot().await
    }

    async fn apply(&self, commands: Vec<Command>) -> Result<Vec<Change>> {
        let (commands, records) = {
            let m = self.model.read();
            let base = who(&m);
            let mut records = Vec::new();
            let commands: Vec<Command> = commands
                .into_iter()
                .map(|c| match record_for(&m, &base, &c) {
                    // Whether a membership command changes anything is
                    // known only in the store's transaction (the model may
                    // be a commit behind a concurrent call's): the store
                    // writes its record only if it did.
                    Some(r) if matches!(c, Command::AddMember { .. } | Command::RemoveMember { .. }) => {
                        Command::WithAudit { command: Box::new(c), record: Box::new(r) }
                    }
                    Some(r) => {
                        records.push(r);
                        c
                    }
                    None => c,
                })
                .collect();
            (commands, records)
        };
        let keeps = context::with_current(|c| c.keeps_changes()).unwrap_or(false);
        // The membership records the store writes only if their command
        // changed something, by position, for the request journal.
        let guarded: Vec<(usize, AuditRecord)> = match keeps {
            false => Vec::new(),
            true => commands
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c {
                    Command::WithAudit { record, .. } => Some((i, (**record).clone())),
                    _ => None,
                })
                .collect(),
        };
        if records.is_empty() {
            let changes = self.inner.apply(commands).await?;
            note_changes(&changes, &guarded, &[]);
            return Ok(changes);
        }
        let n = commands.len();
        let mut all = commands;
        let kept = if keeps { records.clone() } else { Vec::new() };
        all.extend(records.into_iter().map(Command::Audit));
        let mut changes = self.inner.apply(all).await?;
        changes.truncate(n);
        note_changes(&changes, &guarded, &kept);
        Ok(changes)
    }

    async fn import(&self, set: ImportSet) -> Result<ImportReport> {
        self.inner.import(set).await
    }

    async fn record_logins(&self, logins: Vec<(UserId, bool, i64)>) -> Result<()> {
        self.inner.record_logins(logins).await
    }

    fn set_listener(&self, listener: Arc<dyn CommitListener>) {
        self.inner.set_listener(listener);
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn metrics_text(&self) -> Option<String> {
        self.inner.metrics_text()
    }

    async fn replace_all(&self, snapshot: Snapshot) -> Result<()> {
        self.inner.replace_all(snapshot).await
    }

    async fn restore_all(&self, snapshot: Snapshot, audit: Vec<AuditRecord>) -> Result<()> {
        self.inner.restore_all(snapshot, audit).await
    }

    async fn audit(&self, query: AuditQuery) -> Result<AuditPage> {
        self.inner.audit(query).await
    }

    async fn keep_snapshot(&self, info: KeptSnapshot, body: Vec<u8>, keep_unnamed: usize) -> Result<u64> {
        self.inner.keep_snapshot(info, body, keep_unnamed).await
    }

    async fn kept_snapshots(&self) -> Result<Vec<KeptSnapshot>> {
        self.inner.kept_snapshots().await
    }

    async fn kept_snapshot_body(&self, id: u64) -> Result<Option<Vec<u8>>> {
        self.inner.kept_snapshot_body(id).await
    }

    async fn forget_snapshot(&self, id: u64) -> Result<bool> {
        self.inner.forget_snapshot(id).await
    }

    async fn close(&self) {
        self.inner.close().await
    }
}

impl super::Directory {
    /// The who-and-where fields of an audit record for the current caller
    /// (for records written outside `apply`, such as a snapshot restore's).
    pub fn audit_base(&self) -> AuditRecord {
        who(&self.read())
    }

    /// Writes one audit record on its own (refused sign-ins).
    pub(super) async fn record(&self, record: AuditRecord) {
        if let Err(e) = self.store.apply(vec![Command::Audit(record)]).await {
            tracing::warn!(error = %e, "could not write an audit record");
        }
    }
}
