//! Snapshots kept in the store (`snapshots` table): the seed state and the
//! snapshots a test suite named, so a reset works after a restart, from
//! another process and from any instance. They are not directory changes,
//! so they bypass the writer and the change log.

use roster_records::store::KeptSnapshot;
use roster_records::Result;
use tokio_postgres::Client;

use super::errors::internal;

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Keeps `body` under `info`, replacing one of the same name and dropping
/// unnamed ones beyond `keep_unnamed`, in one transaction.
pub async fn keep(client: &mut Client, info: &KeptSnapshot, body: &[u8], keep_unnamed: usize) -> Result<u64> {
    let tx = client.transaction().await.map_err(internal)?;
    if let Some(name) = &info.name {
        tx.execute("delete from snapshots where name = $1", &[name]).await.map_err(internal)?;
    }
    let (users, groups, memberships) = (info.users as i64, info.groups as i64, info.memberships as i64);
    let id: i64 = tx
        .query_one(
            "insert into snapshots (name, created_ms, users, groups, memberships, body) \
             values ($1, $2, $3, $4, $5, $6) returning id",
            &[&info.name, &info.created_ms, &users, &groups, &memberships, &body],
        )
        .await
        .map_err(internal)?
        .get(0);
    tx.execute(
        "delete from snapshots where name is null and id not in \
         (select id from snapshots where name is null order by id desc limit $1)",
        &[&(keep_unnamed as i64)],
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(u64::try_from(id).unwrap_or(0))
}

/// Every kept snapshot, oldest first.
pub async fn list(client: &Client) -> Result<Vec<KeptSnapshot>> {
    let rows = client
        .query("select id, name, created_ms, users, groups, memberships from snapshots order by id", &[])
        .await
        .map_err(internal)?;
    Ok(rows
        .iter()
        .map(|r| KeptSnapshot {
            id: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
            name: r.get(1),
            created_ms: r.get(2),
            users: count(r.get(3)),
            groups: count(r.get(4)),
            memberships: count(r.get(5)),
        })
        .collect())
}

/// The body of kept snapshot `id`.
pub async fn body(client: &Client, id: u64) -> Result<Option<Vec<u8>>> {
    let row = client.query_opt("select body from snapshots where id = $1", &[&(id as i64)]).await.map_err(internal)?;
    Ok(row.map(|r| r.get(0)))
}

/// Forgets kept snapshot `id`.
pub async fn forget(client: &Client, id: u64) -> Result<bool> {
    client.execute("delete from snapshots where id = $1", &[&(id as i64)]).await.map(|n| n > 0).map_err(internal)
}
