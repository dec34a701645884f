//! Versioned, embedded migrations. `roster_schema_version` records how
//! many have been applied; each runs in its own transaction, under an
//! advisory lock so instances starting together migrate once. Never edit
//! an applied file: add the next one.

use roster_records::Result;
use tokio_postgres::Client;

use super::errors::internal;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_audit.sql"),
    include_str!("../../migrations/postgres/0003_ids_never_reused.sql"),
    include_str!("../../migrations/postgres/0004_kept_snapshots.sql"),
    include_str!("../../migrations/postgres/0005_time_zone.sql"),
];

/// Any fixed number: the advisory lock key for migrations.
const MIGRATION_LOCK: i64 = 0x726f_7374_6572;

/// Brings the schema up to the newest version.
pub async fn migrate(client: &mut Client) -> Result<()> {
    client.execute("select pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await.map_err(internal)?;
    let result = run(client).await;
    let _ = client.execute("select pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await;
    result
}

async fn run(client: &mut Client) -> Result<()> {
    // Checked first, so a migrated database logs no "already exists" notice.
    let exists: bool = client
        .query_one("select to_regclass('roster_schema_version') is not null", &[])
        .await
        .map_err(internal)?
        .get(0);
    if !exists {
        client
            .batch_execute("create table if not exists roster_schema_version (version integer not null)")
            .await
            .map_err(internal)?;
    }
    let current: i32 = client
        .query_opt("select version from roster_schema_version", &[])
        .await
        .map_err(internal)?
        .map(|r| r.get(0))
        .unwrap_or(0);
    let current = usize::try_from(current).unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(internal(format!(
            "database schema version {current} is newer than this roster ({}); upgrade roster",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = client.transaction().await.map_err(internal)?;
        tx.batch_execute(sql).await.map_err(internal)?;
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("delete from roster_schema_version", &[]).await.map_err(internal)?;
        tx.execute("insert into roster_schema_version (version) values ($1)", &[&version]).await.map_err(internal)?;
        tx.commit().await.map_err(internal)?;
    }
    Ok(())
}
