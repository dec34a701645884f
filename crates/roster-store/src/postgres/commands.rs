//! Executes one domain command as exactly one SQL statement (so a batch of
//! commands can be pipelined: sent back to back, answered in order) and
//! reports what it changed.

use std::collections::HashSet;

use roster_records::store::last_admin_group;
use roster_records::types::fold;
use roster_records::usernames;
use roster_records::{Change, Command, Error, Result, UserId};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use super::errors::{internal, map};
use super::rows::{self, USER_COLUMNS};

/// Every statement the writer runs, prepared once per connection.
pub struct Statements {
    create_user: Statement,
    update_user: Statement,
    create_group: Statement,
    delete_user: Statement,
    taken_usernames: Statement,
    audit: Statement,
    delete_group: Statement,
    add_member: Statement,
    remove_member: Statement,
    add_token: Statement,
    revoke_tokens: Statement,
    admin_group_left: Statement,
    add_member_audited: Statement,
    remove_member_audited: Statement,
    pub append_log: Statement,
    pub prune_log: Statement,
    pub login_ok: Statement,
    pub login_failed: Statement,
}

impl Statements {
    /// Prepares the statements on `client`.
    pub async fn prepare(client: &Client) -> Result<Self> {
        let p = |sql: String| async move { client.prepare(&sql).await.map_err(internal) };
        Ok(Statements {
            create_user: p(format!(
                "insert into users (account_id, account_type, username, username_lower, user_key, display_name, \
                 email, email_lower, active, password_hash, position, department, location, phone, im, website, \
                 time_zone, created_ms, updated_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, $15, $16, $17, $18, $18) returning {USER_COLUMNS}"
            ))
            .await?,
            update_user: p(format!(
                "update users set account_type = $2, username = $3, username_lower = $4, display_name = $5, \
                 email = $6, email_lower = $7, active = $8, password_hash = $9, position = $10, department = $11, \
                 location = $12, phone = $13, im = $14, website = $15, updated_ms = $16, time_zone = $17 where id = $1 \
                 returning {USER_COLUMNS}"
            ))
            .await?,
            create_group: p("insert into groups (uuid, name, name_lower, created_ms) values ($1, $2, $3, $4) \
                 returning id, uuid, name, created_ms"
                .into())
            .await?,
            delete_user: p("delete from users where id = $1".into()).await?,
            // Names equal to the base, or the base followed by digits.
            taken_usernames: p("select username_lower from users where username_lower = $1 or \
                 (left(username_lower, length($1)) = $1 and substr(username_lower, length($1) + 1) ~ '^[0-9]+$')"
                .into())
            .await?,
            audit: p(super::audit::INSERT.into()).await?,
            delete_group: p("delete from groups where id = $1".into()).await?,
            add_member: p("insert into memberships (group_id, user_id) values ($1, $2) on conflict do nothing".into())
                .await?,
            remove_member: p("delete from memberships where group_id = $1 and user_id = $2".into()).await?,
            add_token: p("insert into tokens (user_id, hash, label, created_ms) values ($1, $2, $3, $4)".into())
                .await?,
            revoke_tokens: p("delete from tokens where user_id = $1".into()).await?,
            admin_group_left: p("select exists(select 1 from groups where name_lower = any($1))".into()).await?,
            // The record is inserted only if the membership row was: one
            // statement, so it pipelines like the bare command.
            add_member_audited: p(format!(
                "with m as (insert into memberships (group_id, user_id) values ($1, $2) on conflict do nothing \
                 returning 1) {AUDIT_FROM_M}"
            ))
            .await?,
            remove_member_audited: p(format!(
                "with m as (delete from memberships where group_id = $1 and user_id = $2 returning 1) {AUDIT_FROM_M}"
            ))
            .await?,
            append_log: p("with entry as (insert into roster_changes (seq, at_ms, payload) values ($1, $2, $3)) \
                 select pg_notify('roster_changes', $1::text)"
                .into())
            .await?,
            prune_log: p("delete from roster_changes where seq <= $1".into()).await?,
            login_ok: p("update users set last_login_ms = $2 where id = $1".into()).await?,
            login_failed: p("update users set last_failed_login_ms = $2 where id = $1".into()).await?,
        })
    }
}

/// The audit insert of the `*_audited` statements: one row per row of `m`.
const AUDIT_FROM_M: &str = "insert into audit (at_ms, actor, actor_name, source, request_id, action, target_kind, \
     target, target_name, object, outcome, detail) select $3::bigint, $4::text, $5::text, $6::text, $7::text, \
     $8::text, $9::text, $10::text, $11::text, $12::text, $13::text, $14::text from m";

/// Whether `cmd` is one statement and so may be pipelined with others (a
/// generated username needs a look at the names taken first).
pub fn pipelinable(cmd: &Command) -> bool {
    match cmd {
        Command::CreateUser(u) => u.username.is_some(),
        Command::WithAudit { command, .. } => {
            matches!(**command, Command::AddMember { .. } | Command::RemoveMember { .. })
        }
        _ => true,
    }
}

/// A membership command with its audit record, in one statement; true when
/// the membership changed (and so the record was written).
async fn membership_audited(
    client: &Client,
    stmt: &Statement,
    group: i64,
    user: i64,
    r: &roster_records::audit::AuditRecord,
) -> Result<bool> {
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&group, &user];
    params.extend(super::audit::columns(r));
    let n = client.execute(stmt, &params).await.map_err(|e| map(e, "membership", ""))?;
    Ok(n == 1)
}

/// A free username for a new account that came without one (see
/// [`roster_records::usernames`]), checked against the rows inside the open
/// transaction; roster's writers are serialised, so none can take it
/// before this transaction commits.
async fn generated_username(client: &Client, st: &Statements, email: &str, display_name: &str) -> Result<String> {
    let base = usernames::derive(email, display_name);
    let taken: HashSet<String> =
        client.query(&st.taken_usernames, &[&fold(&base)]).await.map_err(internal)?.iter().map(|r| r.get(0)).collect();
    Ok(usernames::unique(&base, |c| taken.contains(&fold(c))))
}

/// Runs `cmd` on `client` (inside the caller's open transaction).
pub async fn execute(client: &Client, st: &Statements, cmd: &Command) -> Result<Change> {
    match cmd {
        Command::WithAudit { command, record } => match **command {
            Command::AddMember { group, user } => {
                let added = membership_audited(client, &st.add_member_audited, group.0, user.0, record).await?;
                Ok(if added { Change::MemberAdded { group, user } } else { Change::Unchanged })
            }
            Command::RemoveMember { group, user } => {
                let removed = membership_audited(client, &st.remove_member_audited, group.0, user.0, record).await?;
                Ok(if removed { Change::MemberRemoved { group, user } } else { Change::Unchanged })
            }
            ref other => {
                let change = Box::pin(execute(client, st, other)).await?;
                if !matches!(change, Change::Unchanged) {
                    super::audit::insert(client, &st.audit, record).await.map_err(|e| map(e, "audit record", ""))?;
                }
                Ok(change)
            }
        },
        Command::CreateUser(u) => {
            let username = match &u.username {
                Some(n) => n.clone(),
                None => generated_username(client, st, &u.email, &u.display_name).await?,
            };
            let row = client
                .query_one(
                    &st.create_user,
                    &[
                        &u.account_id,
                        &u.account_type,
                        &username,
                        &fold(&username),
                        &u.user_key,
                        &u.display_name,
                        &u.email,
                        &(!u.email.is_empty()).then(|| fold(&u.email)),
                        &u.active,
                        &u.password_hash,
                        &u.details.position,
                        &u.details.department,
                        &u.details.location,
                        &u.details.phone,
                        &u.details.im,
                        &u.details.website,
                        &u.details.time_zone,
                        &u.created_ms,
                    ],
                )
                .await
                .map_err(|e| map(e, "user", &u.account_id))?;
            Ok(Change::UserSaved(rows::user(&row)?))
        }
        Command::UpdateUser(u) => {
            let row = client
                .query_opt(
                    &st.update_user,
                    &[
                        &u.id.0,
                        &&*u.account_type,
                        &u.username.as_deref(),
                        &u.username.as_deref().map(fold),
                        &&*u.display_name,
                        &&*u.email,
                        &(!u.email.is_empty()).then(|| fold(&u.email)),
                        &u.active,
                        &u.password_hash.as_deref(),
                        &u.details.position,
                        &u.details.department,
                        &u.details.location,
                        &u.details.phone,
                        &u.details.im,
                        &u.details.website,
                        &u.updated_ms,
                        &u.details.time_zone,
                    ],
                )
                .await
                .map_err(|e| map(e, "user", &u.account_id))?
                .ok_or_else(|| Error::not_found("user", u.account_id.to_string()))?;
            Ok(Change::UserSaved(rows::user(&row)?))
        }
        Command::DeleteUser(id) => {
            let n = client.execute(&st.delete_user, &[&id.0]).await.map_err(|e| map(e, "user", ""))?;
            if n == 0 {
                return Err(Error::not_found("user", id.0.to_string()));
            }
            Ok(Change::UserDeleted(*id))
        }
        Command::CreateGroup(g) => {
            let row = client
                .query_one(&st.create_group, &[&g.uuid, &g.name, &fold(&g.name), &g.created_ms])
                .await
                .map_err(|e| map(e, "group", &g.name))?;
            Ok(Change::GroupCreated(rows::group(&row)?))
        }
        Command::DeleteGroup(id) => {
            let n = client.execute(&st.delete_group, &[&id.0]).await.map_err(|e| map(e, "group", ""))?;
            if n == 0 {
                return Err(Error::not_found("group", id.0.to_string()));
            }
            Ok(Change::GroupDeleted(*id))
        }
        Command::AddMember { group, user } => {
            let n = client.execute(&st.add_member, &[&group.0, &user.0]).await.map_err(|e| map(e, "membership", ""))?;
            Ok(if n == 1 { Change::MemberAdded { group: *group, user: *user } } else { Change::Unchanged })
        }
        Command::RemoveMember { group, user } => {
            let n =
                client.execute(&st.remove_member, &[&group.0, &user.0]).await.map_err(|e| map(e, "membership", ""))?;
            Ok(if n == 1 { Change::MemberRemoved { group: *group, user: *user } } else { Change::Unchanged })
        }
        Command::AddToken { user, hash, label, created_ms } => {
            client
                .execute(&st.add_token, &[&user.0, &&hash[..], label, created_ms])
                .await
                .map_err(|e| map(e, "token", ""))?;
            Ok(Change::TokenAdded { user: *user, hash: *hash })
        }
        Command::RevokeTokens { user } => {
            client.execute(&st.revoke_tokens, &[&user.0]).await.map_err(|e| map(e, "token", ""))?;
            Ok(Change::TokensRevoked { user: *user })
        }
        Command::Audit(r) => {
            super::audit::insert(client, &st.audit, r).await.map_err(|e| map(e, "audit record", ""))?;
            Ok(Change::Unchanged)
        }
        Command::KeepAnAdminGroup { names, field } => {
            // Safe across instances because every writing transaction first
            // takes the change-log head's row lock (`writer::begin`): this
            // statement (read committed, a fresh snapshot) sees every write
            // that committed before, and none can commit until this one has.
            let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
            let left: bool =
                client.query_one(&st.admin_group_left, &[&folded]).await.map_err(|e| map(e, "group", ""))?.get(0);
            if left {
                Ok(Change::Unchanged)
            } else {
                Err(last_admin_group(field))
            }
        }
    }
}

/// Stores sign-in outcomes, pipelined.
pub async fn record_logins(client: &Client, st: &Statements, logins: &[(UserId, bool, i64)]) -> Result<()> {
    let updates = logins.iter().map(|(id, ok, at)| {
        let stmt = if *ok { &st.login_ok } else { &st.login_failed };
        async move { client.execute(stmt, &[&id.0, at]).await }
    });
    futures::future::try_join_all(updates).await.map_err(internal)?;
    Ok(())
}
