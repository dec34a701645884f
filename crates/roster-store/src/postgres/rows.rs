//! Reading rows into domain records, and the full snapshot together with
//! the change-log position it corresponds to.

use futures::TryStreamExt;
use roster_records::types::UserDetails;
use roster_records::{Group, GroupId, Result, Snapshot, User, UserId};
use tokio_postgres::{Client, Row};

use super::errors::internal;

/// Columns of `users`, in the order [`user`] reads them.
pub const USER_COLUMNS: &str = "id, account_id, account_type, username, user_key, display_name, email, active, \
     password_hash, position, department, location, phone, im, website, created_ms, updated_ms, \
     last_login_ms, last_failed_login_ms, time_zone";

/// A `users` row selected with [`USER_COLUMNS`].
pub fn user(r: &Row) -> Result<User> {
    let read = || -> Result<User, tokio_postgres::Error> {
        Ok(User {
            id: UserId(r.try_get(0)?),
            account_id: r.try_get::<_, String>(1)?.into(),
            account_type: r.try_get::<_, String>(2)?.into(),
            username: r.try_get::<_, Option<String>>(3)?.map(Into::into),
            user_key: r.try_get::<_, String>(4)?.into(),
            display_name: r.try_get::<_, String>(5)?.into(),
            email: r.try_get::<_, String>(6)?.into(),
            active: r.try_get(7)?,
            password_hash: r.try_get::<_, Option<String>>(8)?.map(Into::into),
            details: UserDetails {
                position: r.try_get(9)?,
                department: r.try_get(10)?,
                location: r.try_get(11)?,
                phone: r.try_get(12)?,
                im: r.try_get(13)?,
                website: r.try_get(14)?,
                time_zone: r.try_get(19)?,
            },
            created_ms: r.try_get(15)?,
            updated_ms: r.try_get(16)?,
            last_login_ms: r.try_get(17)?,
            last_failed_login_ms: r.try_get(18)?,
        })
    };
    read().map_err(internal)
}

/// A `groups` row selected as `id, uuid, name, created_ms`.
pub fn group(r: &Row) -> Result<Group> {
    let read = || -> Result<Group, tokio_postgres::Error> {
        Ok(Group {
            id: GroupId(r.try_get(0)?),
            uuid: r.try_get::<_, String>(1)?.into(),
            name: r.try_get::<_, String>(2)?.into(),
            created_ms: r.try_get(3)?,
        })
    };
    read().map_err(internal)
}

/// Reads everything in one repeatable-read transaction, so the parts agree
/// with each other and with the returned change-log position: the model
/// built from it must then apply exactly the log entries after that number.
pub async fn snapshot(client: &Client) -> Result<(Snapshot, i64)> {
    client.batch_execute("begin isolation level repeatable read read only").await.map_err(internal)?;
    let result = read_all(client).await;
    let _ = client.batch_execute(if result.is_ok() { "commit" } else { "rollback" }).await;
    result
}

async fn read_all(client: &Client) -> Result<(Snapshot, i64)> {
    let seq: i64 = client.query_one("select seq from roster_log_head", &[]).await.map_err(internal)?.get(0);
    let users = client
        .query(&format!("select {USER_COLUMNS} from users order by id"), &[])
        .await
        .map_err(internal)?
        .iter()
        .map(user)
        .collect::<Result<Vec<_>>>()?;
    let groups = client
        .query("select id, uuid, name, created_ms from groups order by id", &[])
        .await
        .map_err(internal)?
        .iter()
        .map(group)
        .collect::<Result<Vec<_>>>()?;
    // Streamed: a million memberships should not sit in memory as rows.
    let stream = client
        .query_raw("select group_id, user_id from memberships order by group_id, user_id", std::iter::empty::<i64>())
        .await
        .map_err(internal)?;
    futures::pin_mut!(stream);
    let mut memberships = Vec::new();
    while let Some(r) = stream.try_next().await.map_err(internal)? {
        memberships.push((GroupId(r.get(0)), UserId(r.get(1))));
    }
    let tokens = client
        .query("select hash, user_id from tokens", &[])
        .await
        .map_err(internal)?
        .iter()
        .map(|r| {
            let h: Vec<u8> = r.get(0);
            let mut hash = [0u8; 32];
            if h.len() == 32 {
                hash.copy_from_slice(&h);
            }
            (hash, UserId(r.get(1)))
        })
        .collect();
    Ok((Snapshot { users, groups, memberships, tokens }, seq))
}
