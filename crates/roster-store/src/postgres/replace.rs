//! Replaces the whole directory with a snapshot in one transaction (the
//! restore behind test-suite resets, and `migrate-store`'s load). Every
//! row is deleted and the snapshot's rows are streamed back with binary
//! COPY, keeping their ids; the id sequences are moved past the largest id
//! so later inserts cannot collide. The audit log is history and is kept;
//! a restore's own records are inserted in the same transaction.
//! The commit is a `reload` entry of the change log: every instance
//! re-reads a snapshot.

use roster_records::audit::AuditRecord;
use roster_records::types::fold;
use roster_records::{Result, Snapshot};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Client;

use super::commands::Statements;
use super::errors::internal;
use super::log::{self, Entry};
use super::writer::{begin, finish};

/// Makes the stored directory equal to `s` and appends `audit` to the
/// audit log, in one transaction; returns the log number committed.
pub async fn run(client: &Client, st: &Statements, s: &Snapshot, audit: &[AuditRecord]) -> Result<i64> {
    let seq = begin(client).await?;
    let loaded = async {
        load(client, s).await?;
        if !audit.is_empty() {
            // Restores are rare: prepared here rather than with the writer's statements.
            let insert = client.prepare(super::audit::INSERT).await?;
            for r in audit {
                super::audit::insert(client, &insert, r).await?;
            }
        }
        Ok::<(), tokio_postgres::Error>(())
    };
    match loaded.await {
        Ok(()) => {
            finish(client, st, seq, &log::encode(&Entry::Reload)).await?;
            Ok(seq)
        }
        Err(e) => {
            let _ = client.batch_execute("rollback").await;
            Err(internal(e))
        }
    }
}

async fn copy(
    client: &Client,
    sql: &str,
    types: &[Type],
    rows: impl Iterator<Item = Vec<Box<dyn ToSql + Sync + Send>>>,
) -> Result<(), tokio_postgres::Error> {
    let sink = client.copy_in(sql).await?;
    let writer = BinaryCopyInWriter::new(sink, types);
    futures::pin_mut!(writer);
    for row in rows {
        let refs: Vec<&(dyn ToSql + Sync)> = row.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
        writer.as_mut().write(&refs).await?;
    }
    writer.finish().await?;
    Ok(())
}

fn boxed<T: ToSql + Sync + Send + 'static>(v: T) -> Box<dyn ToSql + Sync + Send> {
    Box::new(v)
}

async fn load(client: &Client, s: &Snapshot) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("delete from memberships; delete from tokens; delete from groups; delete from users;").await?;
    let text = Type::TEXT;
    copy(
        client,
        "copy users (id, account_id, account_type, username, username_lower, user_key, display_name, email, \
         email_lower, active, password_hash, position, department, location, phone, im, website, created_ms, \
         updated_ms, last_login_ms, last_failed_login_ms, time_zone) from stdin binary",
        &[
            Type::INT8,
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            Type::BOOL,
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            text.clone(),
        ],
        s.users.iter().map(|u| {
            vec![
                boxed(u.id.0),
                boxed(u.account_id.to_string()),
                boxed(u.account_type.to_string()),
                boxed(u.username.as_deref().map(str::to_string)),
                boxed(u.username.as_deref().map(fold)),
                boxed(u.user_key.to_string()),
                boxed(u.display_name.to_string()),
                boxed(u.email.to_string()),
                boxed((!u.email.is_empty()).then(|| fold(&u.email))),
                boxed(u.active),
                boxed(u.password_hash.as_deref().map(str::to_string)),
                boxed(u.details.position.clone()),
                boxed(u.details.department.clone()),
                boxed(u.details.location.clone()),
                boxed(u.details.phone.clone()),
                boxed(u.details.im.clone()),
                boxed(u.details.website.clone()),
                boxed(u.created_ms),
                boxed(u.updated_ms),
                boxed(u.last_login_ms),
                boxed(u.last_failed_login_ms),
                boxed(u.details.time_zone.clone()),
            ]
        }),
    )
    .await?;
    copy(
        client,
        "copy groups (id, uuid, name, name_lower, created_ms) from stdin binary",
        &[Type::INT8, text.clone(), text.clone(), text.clone(), Type::INT8],
        s.groups.iter().map(|g| {
            vec![
                boxed(g.id.0),
                boxed(g.uuid.to_string()),
                boxed(g.name.to_string()),
                boxed(fold(&g.name)),
                boxed(g.created_ms),
            ]
        }),
    )
    .await?;
    copy(
        client,
        "copy memberships (group_id, user_id) from stdin binary",
        &[Type::INT8, Type::INT8],
        s.memberships.iter().map(|(g, u)| vec![boxed(g.0), boxed(u.0)]),
    )
    .await?;
    copy(
        client,
        "copy tokens (user_id, hash, label, created_ms) from stdin binary",
        &[Type::INT8, Type::BYTEA, text, Type::INT8],
        s.tokens.iter().map(|(h, u)| vec![boxed(u.0), boxed(h.to_vec()), boxed("restored".to_string()), boxed(0i64)]),
    )
    .await?;
    // Keep the id sequences ahead of every id now stored.
    client
        .batch_execute(
            "select setval(pg_get_serial_sequence('users', 'id'), max(id)) from users \
               having max(id) > (select last_value from users_id_seq); \
             select setval(pg_get_serial_sequence('groups', 'id'), max(id)) from groups \
               having max(id) > (select last_value from groups_id_seq);",
        )
        .await
}
