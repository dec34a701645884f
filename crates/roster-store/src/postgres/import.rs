//! Bulk import in one transaction: users upserted by account id, groups by
//! public id, memberships added when missing. Same rules and messages as
//! the SQLite import. Users and groups are inserted pipelined (so a bad
//! record is still named by its origin, `file:line`); memberships, the bulk
//! of any import, are streamed with binary COPY into a temporary table and
//! merged with one `insert ... on conflict do nothing`. The commit is one
//! change-log entry, `reload`, telling every instance to re-read a snapshot.

use std::collections::{HashMap, HashSet};

use roster_records::import::ImportSet;
use roster_records::store::ImportReport;
use roster_records::types::fold;
use roster_records::usernames;
use roster_records::{Error, Result};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::errors::{internal, map};
use super::log::{self, Entry};
use super::writer::{begin, finish};

/// Statements in flight at once while inserting users and groups.
const PIPELINE: usize = 512;

/// From this many memberships on, an import rebuilds the table's indexes
/// and checks its foreign keys in bulk.
const BULK_MEMBERSHIPS: usize = 50_000;

fn at(origin: &str, e: Error) -> Error {
    match e {
        Error::Internal(_) => e,
        other => Error::invalid("import", format!("{origin}: {other}")),
    }
}

/// Imports `set`; returns the report and the change-log number committed.
pub async fn run(client: &Client, set: ImportSet) -> Result<(ImportReport, i64)> {
    let statements = super::commands::Statements::prepare(client).await?;
    let seq = begin(client).await?;
    match load(client, &set).await {
        Ok(report) => {
            finish(client, &statements, seq, &log::encode(&Entry::Reload)).await?;
            Ok((report, seq))
        }
        Err(e) => {
            let _ = client.batch_execute("rollback").await;
            Err(e)
        }
    }
}

async fn ids(client: &Client, sql: &str) -> Result<HashMap<String, i64>> {
    let rows = client.query(sql, &[]).await.map_err(internal)?;
    Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1))).collect())
}

/// Runs `stmts` pipelined, `PIPELINE` at a time; the first failure (the
/// later ones only report the aborted transaction) is mapped by `fail`.
async fn pipelined<F, T>(futs: Vec<F>, fail: impl Fn(usize, tokio_postgres::Error) -> Error) -> Result<Vec<T>>
where
    F: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
{
    let mut out = Vec::with_capacity(futs.len());
    let mut futs = futs.into_iter().enumerate().peekable();
    while futs.peek().is_some() {
        let chunk: Vec<(usize, F)> = futs.by_ref().take(PIPELINE).collect();
        let (idx, chunk): (Vec<usize>, Vec<F>) = chunk.into_iter().unzip();
        for (i, r) in idx.into_iter().zip(futures::future::join_all(chunk).await) {
            out.push(r.map_err(|e| fail(i, e))?);
        }
    }
    Ok(out)
}

async fn load(client: &Client, set: &ImportSet) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    // Existing accounts with the fields an import may update.
    let rows = client
        .query("select account_id, id, account_type, display_name, email, time_zone from users", &[])
        .await
        .map_err(internal)?;
    let mut accounts: HashMap<String, (i64, String, String, String, String)> =
        rows.iter().map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))).collect();
    // New users without a username get one generated; existing users keep theirs.
    let mut taken: HashSet<String> =
        ids(client, "select username_lower, id from users where username_lower is not null")
            .await?
            .into_keys()
            .collect();

    let insert_user = client
        .prepare(
            "insert into users (account_id, account_type, username, username_lower, user_key, display_name, email, \
             email_lower, active, created_ms, updated_ms, time_zone) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $10, $11) returning id",
        )
        .await
        .map_err(internal)?;
    let update_user = client
        .prepare(
            // A line without a time zone leaves the stored one alone.
            "update users set account_type = $2, display_name = $3, email = $4, email_lower = $5, updated_ms = $6, \
             time_zone = case when $7 = '' then time_zone else $7 end where id = $1",
        )
        .await
        .map_err(internal)?;

    // Plan first (new rows, changed rows), then send them pipelined.
    struct NewRow<'a> {
        index: usize,
        username: String,
        user: &'a roster_records::NewUser,
    }
    let mut new_rows: Vec<NewRow> = Vec::new();
    let mut updates: Vec<usize> = Vec::new();
    for (i, (u, _)) in set.users.iter().enumerate() {
        match accounts.get_mut(&u.account_id) {
            Some((_, t, d, e, z)) => {
                let zone = &u.details.time_zone;
                if *t != u.account_type || *d != u.display_name || *e != u.email || (!zone.is_empty() && z != zone) {
                    (*t, *d, *e) = (u.account_type.clone(), u.display_name.clone(), u.email.clone());
                    if !zone.is_empty() {
                        z.clone_from(zone);
                    }
                    updates.push(i);
                    report.users_updated += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            None => {
                let username = match &u.username {
                    Some(n) => n.clone(),
                    None => {
                        usernames::unique(&usernames::derive(&u.email, &u.display_name), |c| taken.contains(&fold(c)))
                    }
                };
                taken.insert(fold(&username));
                // A later line with the same account id updates this row.
                let row =
                    (0, u.account_type.clone(), u.display_name.clone(), u.email.clone(), u.details.time_zone.clone());
                accounts.insert(u.account_id.clone(), row);
                new_rows.push(NewRow { index: i, username, user: u });
                report.users_added += 1;
            }
        }
    }
    let folded: Vec<(String, Option<String>)> =
        new_rows.iter().map(|n| (fold(&n.username), (!n.user.email.is_empty()).then(|| fold(&n.user.email)))).collect();
    let inserts = new_rows
        .iter()
        .zip(&folded)
        .map(|(n, (ul, el))| {
            let u = n.user;
            let insert_user = &insert_user;
            async move {
                client
                    .query_one(
                        insert_user,
                        &[
                            &u.account_id,
                            &u.account_type,
                            &n.username,
                            ul,
                            &u.user_key,
                            &u.display_name,
                            &u.email,
                            el,
                            &u.active,
                            &u.created_ms,
                            &u.details.time_zone,
                        ],
                    )
                    .await
            }
        })
        .collect();
    let origin_of = |i: usize| set.users[new_rows[i].index].1.as_str();
    let account_of = |i: usize| new_rows[i].user.account_id.as_str();
    let inserted = pipelined(inserts, |i, e| at(origin_of(i), map(e, "user", account_of(i)))).await?;
    let mut account_ids: HashMap<&str, i64> = accounts.iter().map(|(k, v)| (k.as_str(), v.0)).collect();
    for (n, row) in new_rows.iter().zip(inserted) {
        account_ids.insert(&n.user.account_id, row.get(0));
    }
    let update_lowers: Vec<Option<String>> =
        updates.iter().map(|&i| Some(&set.users[i].0.email).filter(|e| !e.is_empty()).map(|e| fold(e))).collect();
    let update_user = &update_user;
    let update_futs = updates
        .iter()
        .zip(&update_lowers)
        .map(|(&i, el)| {
            let u = &set.users[i].0;
            let id = account_ids.get(u.account_id.as_str()).copied().unwrap_or(0);
            async move {
                let zone = &u.details.time_zone;
                client
                    .execute(update_user, &[&id, &u.account_type, &u.display_name, &u.email, el, &u.created_ms, zone])
                    .await
            }
        })
        .collect();
    pipelined(update_futs, |k, e| at(&set.users[updates[k]].1, map(e, "user", &set.users[updates[k]].0.email))).await?;

    // Groups.
    let mut groups = ids(client, "select uuid, id from groups").await?;
    let names = ids(client, "select name_lower, id from groups").await?;
    let insert_group = client
        .prepare("insert into groups (uuid, name, name_lower, created_ms) values ($1, $2, $3, $4) returning id")
        .await
        .map_err(internal)?;
    let mut new_groups: Vec<(usize, String)> = Vec::new();
    let mut planned: HashSet<&str> = HashSet::new();
    for (i, (g, origin)) in set.groups.iter().enumerate() {
        let lower = fold(&g.name);
        match (groups.get(&g.uuid), names.get(&lower)) {
            (Some(id), Some(named)) if id == named => report.unchanged += 1,
            (Some(_), _) => {
                return Err(at(origin, Error::exists("group", format!("id {} with a different name", g.uuid))));
            }
            (None, _) if planned.contains(g.uuid.as_str()) => report.unchanged += 1,
            (None, _) => {
                planned.insert(&g.uuid);
                new_groups.push((i, lower));
                report.groups_added += 1;
            }
        }
    }
    let group_futs = new_groups
        .iter()
        .map(|(i, lower)| {
            let g = &set.groups[*i].0;
            let insert_group = &insert_group;
            async move { client.query_one(insert_group, &[&g.uuid, &g.name, lower, &g.created_ms]).await }
        })
        .collect();
    let group_rows = pipelined(group_futs, |k, e| {
        let (g, origin) = &set.groups[new_groups[k].0];
        at(origin, map(e, "group", &g.name))
    })
    .await?;
    for ((i, _), row) in new_groups.iter().zip(group_rows) {
        groups.insert(set.groups[*i].0.uuid.clone(), row.get(0));
    }

    // Memberships: resolve, then COPY and merge.
    let mut pairs: Vec<(i64, i64)> = Vec::with_capacity(set.memberships.len());
    for m in &set.memberships {
        let g = groups
            .get(&m.group_uuid)
            .ok_or_else(|| at(&m.origin, Error::not_found("group", format!("id {}", m.group_uuid))))?;
        let u = account_ids
            .get(m.account_id.as_str())
            .ok_or_else(|| at(&m.origin, Error::not_found("user", format!("accountId {}", m.account_id))))?;
        pairs.push((*g, *u));
    }
    pairs.sort_unstable();
    let added = copy_memberships(client, &pairs).await?;
    report.memberships_added += added;
    report.unchanged += pairs.len() - added;
    Ok(report)
}

/// Adds the missing `(group, user)` pairs; returns how many were new.
async fn copy_memberships(client: &Client, pairs: &[(i64, i64)]) -> Result<usize> {
    if pairs.is_empty() {
        return Ok(0);
    }
    client
        .batch_execute("create temporary table import_members (group_id bigint, user_id bigint) on commit drop")
        .await
        .map_err(internal)?;
    let sink = client.copy_in("copy import_members (group_id, user_id) from stdin binary").await.map_err(internal)?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::INT8]);
    futures::pin_mut!(writer);
    for (g, u) in pairs {
        writer.as_mut().write(&[g, u]).await.map_err(internal)?;
    }
    writer.finish().await.map_err(internal)?;
    if pairs.len() < BULK_MEMBERSHIPS {
        let n = client
            .execute(
                "insert into memberships (group_id, user_id) select distinct group_id, user_id from import_members \
                 order by group_id, user_id on conflict do nothing",
                &[],
            )
            .await
            .map_err(internal)?;
        return Ok(usize::try_from(n).unwrap_or(0));
    }
    // A large import: maintaining two indexes and checking two foreign
    // keys row by row is most of the time of a million-row insert, so the
    // constraints and indexes are dropped, the rows inserted, and all of
    // them rebuilt and validated in bulk before commit (any violation
    // rolls the import back). Every pair was resolved against rows of this
    // transaction above. The table lock this takes only holds off other
    // writers, which wait for the log head anyway.
    client
        .batch_execute(
            "alter table memberships drop constraint memberships_group_id_fkey, \
               drop constraint memberships_user_id_fkey, drop constraint memberships_pkey; \
             drop index memberships_by_user;",
        )
        .await
        .map_err(internal)?;
    let n = client
        .execute(
            "insert into memberships (group_id, user_id) select distinct i.group_id, i.user_id \
             from import_members i where not exists \
               (select 1 from memberships m where m.group_id = i.group_id and m.user_id = i.user_id) \
             order by 1, 2",
            &[],
        )
        .await
        .map_err(internal)?;
    client
        .batch_execute(
            "alter table memberships add constraint memberships_pkey primary key (group_id, user_id), \
               add constraint memberships_group_id_fkey foreign key (group_id) references groups(id) on delete cascade, \
               add constraint memberships_user_id_fkey foreign key (user_id) references users(id) on delete cascade; \
             create index memberships_by_user on memberships(user_id, group_id);",
        )
        .await
        .map_err(internal)?;
    Ok(usize::try_from(n).unwrap_or(0))
}
