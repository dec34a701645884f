//! Loading fixtures ([`crate::fixtures::Plan`]) into the directory: the
//! merge rule, written once. Users are matched by account id, username or
//! e-mail address; groups by name. What exists is kept and what the
//! fixture says is applied: a matched user gets the fields the fixture
//! gives (display name, e-mail, account type, active, password) and keeps
//! the rest; missing groups, users, memberships and tokens are added;
//! nothing is ever removed. Everything is checked against the model before
//! anything is written, and every conflict is reported with its line.
//!
//! New users' ids are the store's, so the writes are two transactions:
//! groups and users, then memberships and tokens. When the second fails (a
//! group deleted meanwhile), the users and groups the first created are
//! deleted again, so a failed import leaves nothing behind.

use std::collections::{HashMap, HashSet};

use super::admin::{new_group, Admin};
use crate::credentials::token_hash;
use crate::error::{Error, Result};
use crate::fixtures::{Plan, PlanUser, Problem, Problems};
use crate::model::Model;
use crate::names;
use crate::store::{Change, Command};
use crate::types::{fold, now_ms, NewUser, User, UserDetails, UserId};

/// What an import did, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureReport {
    pub groups_created: Vec<String>,
    pub groups_present: Vec<String>,
    pub users_created: Vec<String>,
    /// Users that existed, with the fields the fixture changed.
    pub users_updated: Vec<(String, Vec<&'static str>)>,
    pub users_unchanged: Vec<String>,
    pub memberships_added: usize,
    pub memberships_present: usize,
    pub tokens_added: usize,
    pub tokens_present: usize,
}

/// What to do with one user of the plan.
enum Step {
    Create(Box<NewUser>),
    Update { user: Box<User>, changed: Vec<&'static str> },
}

impl Admin<'_> {
    /// Merges `plan` into the directory (see the module comment). Any
    /// conflict with what is stored fails the whole call, listing every
    /// one, and nothing is written.
    pub async fn import(&self, plan: &Plan) -> Result<FixtureReport> {
        let now = now_ms();
        let mut report = FixtureReport::default();
        let mut problems = Problems::default();
        let (group_cmds, mut steps, tokens) = {
            let m = self.dir.read();
            check_policy(&m, plan, &mut problems);
            let mut cmds = Vec::new();
            for (name, origin) in &plan.groups {
                if let Err(e) = names::new_group_name(name, m.policy()) {
                    problems.push(Problem::new(origin.clone(), "name", e.to_string()));
                } else if let Ok(g) = m.group_by_name(name) {
                    report.groups_present.push(g.group.name.to_string());
                } else {
                    cmds.push(Command::CreateGroup(new_group(name, now)));
                    report.groups_created.push(name.clone());
                }
            }
            let steps: Vec<Option<Step>> = plan.users.iter().map(|u| plan_user(&m, u, now, &mut problems)).collect();
            let tokens = plan_tokens(&m, plan, &steps, &mut problems);
            (cmds, steps, tokens)
        };
        if !problems.is_empty() {
            return Err(Error::invalid("fixture", format!("\n{problems}")));
        }
        for (u, step) in plan.users.iter().zip(steps.iter_mut()) {
            self.settle_password(u, step).await?;
        }
        let mut cmds = group_cmds;
        for (u, step) in plan.users.iter().zip(&steps) {
            match step {
                Some(Step::Create(new)) => {
                    cmds.push(Command::CreateUser((**new).clone()));
                    report.users_created.push(u.name().to_string());
                }
                Some(Step::Update { user, changed }) if !changed.is_empty() => {
                    cmds.push(Command::UpdateUser((**user).clone()));
                    report.users_updated.push((u.name().to_string(), changed.clone()));
                }
                _ => report.users_unchanged.push(u.name().to_string()),
            }
        }
        let created = self.apply(cmds, "fixture").await?;
        let second = {
            let m = self.dir.read();
            let ids: Vec<Option<UserId>> = plan
                .users
                .iter()
                .zip(&steps)
                .map(|(u, s)| match s {
                    Some(Step::Update { user, .. }) => Some(user.id),
                    _ => m.user_by_account(&u.account_id()).ok().map(|e| e.user.id),
                })
                .collect();
            let mut cmds = Vec::new();
            let mut members = 0;
            let mut missing = None;
            for ms in &plan.memberships {
                let (Ok(g), Some(user)) = (m.group_by_name(&ms.group), ids[ms.user]) else {
                    missing = Some(ms.group.clone());
                    break;
                };
                if g.members.contains(user.0 as u32) {
                    report.memberships_present += 1;
                } else {
                    cmds.push(Command::AddMember { group: g.group.id, user });
                    members += 1;
                }
            }
            let mut added = 0;
            for (index, hash) in tokens {
                match (m.token_owner(&hash), ids[index]) {
                    (Some(_), _) => report.tokens_present += 1,
                    (None, Some(user)) => {
                        cmds.push(Command::AddToken { user, hash, label: "fixture".into(), created_ms: now });
                        added += 1;
                    }
                    (None, None) => {}
                }
            }
            match missing {
                None => Ok((cmds, members, added)),
                Some(g) => Err(Error::not_found("group", format!("{g} (deleted during the import)"))),
            }
        };
        let written = match second {
            Ok((cmds, members, tokens)) => self.apply(cmds, "fixture").await.map(|_| (members, tokens)),
            Err(e) => Err(e),
        };
        let (added_members, added_tokens) = match written {
            Ok(counts) => counts,
            Err(e) => {
                self.undo(created).await;
                return Err(e);
            }
        };
        report.memberships_added = added_members;
        report.tokens_added = added_tokens;
        Ok(report)
    }

    /// Hashes a new user's password, or a matched user's when it does not
    /// already verify (so a re-import changes nothing).
    async fn settle_password(&self, u: &PlanUser, step: &mut Option<Step>) -> Result<()> {
        let Some(p) = &u.password else { return Ok(()) };
        match step {
            Some(Step::Create(new)) => new.password_hash = Some(self.dir.auth.hasher.hash(p).await?),
            Some(Step::Update { user, changed }) => {
                let same = match &user.password_hash {
                    Some(phc) => self.dir.auth.hasher.verify(p, phc.clone()).await?,
                    None => false,
                };
                if !same {
                    user.password_hash = Some(self.dir.auth.hasher.hash(p).await?.into());
                    changed.push("password");
                }
            }
            None => {}
        }
        Ok(())
    }

    /// Deletes what the first transaction of a failed import created.
    async fn undo(&self, created: Vec<Change>) {
        let cmds: Vec<Command> = created
            .into_iter()
            .filter_map(|c| match c {
                Change::UserSaved(u) => Some(Command::DeleteUser(u.id)),
                Change::GroupCreated(g) => Some(Command::DeleteGroup(g.id)),
                _ => None,
            })
            .collect();
        let _ = self.dir.store.apply(cmds).await;
    }
}

/// A fixture's access and admin groups must be the running policy's: a
/// fixture written for other groups would grant other rights than it says.
fn check_policy(m: &Model, plan: &Plan, problems: &mut Problems) {
    let policy = m.policy();
    for (given, running, field, flag) in [
        (&plan.access_groups, &policy.access_groups, "accessGroups", "--access-groups"),
        (&plan.admin_groups, &policy.admin_groups, "adminGroups", "--admin-groups"),
    ] {
        if let Some((names, origin)) = given {
            let a: HashSet<String> = names.iter().map(|n| fold(n)).collect();
            let b: HashSet<String> = running.iter().map(|n| fold(n)).collect();
            if a != b {
                problems.push(Problem::new(
                    origin.clone(),
                    field,
                    format!("the server uses [{}]; start it with {flag} to match", running.join(", ")),
                ));
            }
        }
    }
}

/// Matches a fixture user with a stored one (account id, username, e-mail)
/// and decides what to write; conflicts are reported.
fn plan_user(m: &Model, u: &PlanUser, now: i64, problems: &mut Problems) -> Option<Step> {
    let mut report = |field: &str, msg: String| problems.push(Problem::new(u.origin.clone(), field, msg));
    let by_account = u.account_id.as_deref().and_then(|a| m.user_by_account(a).ok()).map(|e| &e.user);
    let by_username = u.username.as_deref().and_then(|n| m.user_by_username(n).ok()).map(|e| &e.user);
    let by_email = u.email.as_deref().filter(|e| !e.is_empty()).and_then(|e| m.user_by_email(e)).map(|e| &e.user);
    let found: Vec<(&str, &User)> = [("accountId", by_account), ("username", by_username), ("email", by_email)]
        .into_iter()
        .filter_map(|(f, u)| u.map(|u| (f, u)))
        .collect();
    if let Some((f1, first)) = found.first() {
        if let Some((f2, other)) = found.iter().find(|(_, o)| o.id != first.id) {
            report(
                f2,
                format!(
                    "its {f1} is stored user {} but its {f2} is stored user {}",
                    first.account_id, other.account_id
                ),
            );
            return None;
        }
        return update_user(first, u, now, &mut report);
    }
    let account_id = u.account_id();
    if m.user_by_account(&account_id).is_ok() {
        report("accountId", format!("the generated accountId {account_id} is another user's; give an accountId"));
        return None;
    }
    let user_key = u.user_key();
    if m.user_by_key(&user_key).is_ok() {
        report("userKey", format!("userKey {user_key} is another user's"));
        return None;
    }
    let account_type = u.account_type.clone().unwrap_or_else(|| "atlassian".into());
    let email = match (&u.email, &u.username) {
        (Some(e), _) => e.clone(),
        (None, _) if account_type == "app" => String::new(),
        (None, Some(name)) => format!("{name}@example.com"),
        (None, None) => String::new(),
    };
    if !email.is_empty() && m.email_taken(&email) {
        report("email", format!("{email} (made from the username) is another user's; give an email"));
        return None;
    }
    Some(Step::Create(Box::new(NewUser {
        account_id,
        account_type,
        username: u.username.clone(),
        user_key,
        display_name: u.display_name(),
        email,
        active: u.active.unwrap_or(true),
        password_hash: None,
        details: UserDetails { time_zone: u.time_zone.clone().unwrap_or_default(), ..UserDetails::default() },
        created_ms: now,
    })))
}

/// The stored `user` with the fields `u` gives applied; ids cannot change.
fn update_user(user: &User, u: &PlanUser, now: i64, report: &mut impl FnMut(&str, String)) -> Option<Step> {
    if let Some(a) = u.account_id.as_deref().filter(|a| **a != *user.account_id) {
        report("accountId", format!("{a} differs from the stored user's {} (ids cannot change)", user.account_id));
        return None;
    }
    if let Some(k) = u.user_key.as_deref().filter(|k| **k != *user.user_key) {
        report("userKey", format!("{k} differs from the stored user's {} (ids cannot change)", user.user_key));
        return None;
    }
    let mut next = user.clone();
    let mut changed = Vec::new();
    if let Some(n) = u.username.as_deref().filter(|n| Some(*n) != user.username.as_deref()) {
        next.username = Some(n.into());
        changed.push("username");
    }
    if let Some(d) = u.display_name.as_deref().filter(|d| **d != *user.display_name) {
        next.display_name = d.into();
        changed.push("displayName");
    }
    if let Some(e) = u.email.as_deref().filter(|e| **e != *user.email) {
        next.email = e.into();
        changed.push("email");
    }
    if let Some(t) = u.account_type.as_deref().filter(|t| **t != *user.account_type) {
        next.account_type = t.into();
        changed.push("accountType");
    }
    if let Some(a) = u.active.filter(|a| *a != user.active) {
        next.active = a;
        changed.push("active");
    }
    if let Some(z) = u.time_zone.as_deref().filter(|z| *z != user.details.time_zone) {
        next.details.time_zone = z.into();
        changed.push("timeZone");
    }
    if !changed.is_empty() {
        next.updated_ms = now;
    }
    Some(Step::Update { user: Box::new(next), changed })
}

/// The tokens to register: `(user index, digest)`; a token that is
/// another user's (stored, or given twice in the fixture) is a conflict.
fn plan_tokens(m: &Model, plan: &Plan, steps: &[Option<Step>], problems: &mut Problems) -> Vec<(usize, [u8; 32])> {
    let mut out = Vec::new();
    let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
    for (index, (u, step)) in plan.users.iter().zip(steps).enumerate() {
        let own = match step {
            Some(Step::Update { user, .. }) => Some(user.id),
            _ => None,
        };
        for t in &u.tokens {
            let hash = token_hash(t);
            if let Some(first) = seen.insert(hash, index) {
                if first != index {
                    let at = &plan.users[first].origin;
                    problems.push(Problem::new(
                        u.origin.clone(),
                        "tokens",
                        format!("the same token is given for the user at {at}"),
                    ));
                }
                continue;
            }
            match m.token_owner(&hash) {
                Some(owner) if Some(owner) != own => problems.push(Problem::new(
                    u.origin.clone(),
                    "tokens",
                    "a token is already another user's".to_string(),
                )),
                _ => out.push((index, hash)),
            }
        }
    }
    out
}
