//! The audit table: inserting a record inside the writer's transaction and
//! searching it (newest first) from a read connection. Same semantics as
//! the SQLite version (whose `like` ignores ASCII case: here `ilike`).

use roster_records::audit::{AuditPage, AuditQuery, AuditRecord};
use roster_records::Result;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use super::errors::internal;

/// The insert statement, prepared with the writer's others.
pub const INSERT: &str = "insert into audit (at_ms, actor, actor_name, source, request_id, action, target_kind, \
     target, target_name, object, outcome, detail) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Inserts `r` (inside the open transaction).
pub async fn insert(client: &Client, stmt: &Statement, r: &AuditRecord) -> Result<(), tokio_postgres::Error> {
    client.execute(stmt, &columns(r)).await.map(|_| ())
}

/// `r`'s columns in [`INSERT`]'s order, for statements that append them to
/// parameters of their own.
pub fn columns(r: &AuditRecord) -> [&(dyn ToSql + Sync); 12] {
    [
        &r.at_ms,
        &r.actor,
        &r.actor_name,
        &r.source,
        &r.request_id,
        &r.action,
        &r.target_kind,
        &r.target,
        &r.target_name,
        &r.object,
        &r.outcome,
        &r.detail,
    ]
}

/// Escapes `%`, `_` and `\` for a `like ... escape '\'` pattern.
fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Records matching `q`, newest first, one page of them.
pub async fn search(client: &Client, q: &AuditQuery) -> Result<AuditPage> {
    let pattern = q.search.as_deref().filter(|s| !s.is_empty()).map(like_pattern);
    let limit = i64::try_from(q.limit).unwrap_or(i64::MAX).saturating_add(1);
    let rows = client
        .query(
            "select at_ms, actor, actor_name, source, request_id, action, target_kind, target, target_name, object, \
             outcome, detail from audit \
             where at_ms >= $1 and at_ms <= $2 and ($3::text is null or actor ilike $3 escape '\\' \
             or actor_name ilike $3 escape '\\' or action ilike $3 escape '\\' or target ilike $3 escape '\\' \
             or target_name ilike $3 escape '\\' or object ilike $3 escape '\\' or detail ilike $3 escape '\\' \
             or source ilike $3 escape '\\') \
             order by at_ms desc, id desc limit $4 offset $5",
            &[
                &q.start_ms.unwrap_or(i64::MIN),
                &q.end_ms.unwrap_or(i64::MAX),
                &pattern,
                &limit,
                &i64::try_from(q.start).unwrap_or(i64::MAX),
            ],
        )
        .await
        .map_err(internal)?;
    let mut records: Vec<AuditRecord> = rows
        .iter()
        .map(|r| AuditRecord {
            at_ms: r.get(0),
            actor: r.get(1),
            actor_name: r.get(2),
            source: r.get(3),
            request_id: r.get(4),
            action: r.get(5),
            target_kind: r.get(6),
            target: r.get(7),
            target_name: r.get(8),
            object: r.get(9),
            outcome: r.get(10),
            detail: r.get(11),
        })
        .collect();
    let has_more = records.len() > q.limit;
    records.truncate(q.limit);
    Ok(AuditPage { records, has_more })
}
