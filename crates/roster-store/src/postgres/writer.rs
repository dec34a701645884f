//! The writer task and its group commit. Jobs queue on a channel; the task
//! takes every job waiting and commits them in one transaction (one WAL
//! flush for the whole batch). The transaction first takes the next
//! change-log number (a row lock that serialises roster's writers across
//! instances), then runs the commands pipelined, then appends the log
//! entry with a NOTIFY and commits. Should a command fail, the batch is
//! rolled back and re-run with one savepoint per job, so one job's failure
//! leaves the others intact. After the commit the changes reach the model
//! (in log order, see `follow`) and only then are the callers answered.

use std::pin::Pin;
use std::sync::Arc;

use futures::future::{maybe_done, MaybeDone};
use roster_records::audit::AuditRecord;
use roster_records::import::ImportSet;
use roster_records::store::ImportReport;
use roster_records::types::now_ms;
use roster_records::{Change, Command, Result, Snapshot, UserId};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, Config, SimpleQueryMessage};

use super::commands::{self, Statements};
use super::errors::internal;
use super::follow::Follow;
use super::log::{self, Entry};
use super::{connect, import, replace};
use crate::stats::WriterStats;

/// Most jobs committed together.
const MAX_BATCH: usize = 4096;

/// Log entries kept for instances that lag; older ones are pruned (a
/// lagging instance then reloads from a snapshot).
const LOG_RETAIN: i64 = 50_000;

/// Work for the writer task (a `Replace`'s `audit` records commit in its
/// transaction; `Close` commits what is pending, stops, and is answered
/// once the writer's thread has dropped its connections).
pub enum Job {
    Apply { commands: Vec<Command>, reply: oneshot::Sender<Result<Vec<Change>>> },
    Import { set: ImportSet, reply: oneshot::Sender<Result<ImportReport>> },
    Logins { logins: Vec<(UserId, bool, i64)>, reply: oneshot::Sender<Result<()>> },
    Replace { snapshot: Box<Snapshot>, audit: Vec<AuditRecord>, reply: oneshot::Sender<Result<()>> },
    Close { reply: oneshot::Sender<()> },
}

/// The writer's connection, re-opened when it breaks.
pub struct Conn {
    config: Config,
    live: Option<(Client, Statements)>,
}

impl Conn {
    pub fn new(config: Config) -> Self {
        Conn { config, live: None }
    }

    /// A working connection with its prepared statements.
    pub async fn get(&mut self) -> Result<(&Client, &Statements)> {
        if self.live.as_ref().is_none_or(|(c, _)| c.is_closed()) {
            self.live = None;
            let client = connect(&self.config).await?;
            let st = Statements::prepare(&client).await?;
            self.live = Some((client, st));
        }
        let (c, s) = self.live.as_ref().ok_or_else(|| internal("no connection"))?;
        Ok((c, s))
    }
}

type Pending = Vec<(Vec<Command>, oneshot::Sender<Result<Vec<Change>>>)>;

/// The task body: runs jobs until every sender is gone (returns None) or a `Close` job
/// comes (returns its reply).
pub async fn run(
    mut conn: Conn,
    mut rx: mpsc::UnboundedReceiver<Job>,
    follow: Arc<Follow>,
    stats: Arc<WriterStats>,
) -> Option<oneshot::Sender<()>> {
    let mut pending: Pending = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Apply { commands, reply } => pending.push((commands, reply)),
                Job::Import { set, reply } => {
                    commit_batch(&mut conn, &mut pending, &follow, &stats).await;
                    let _ = reply.send(run_import(&mut conn, set, &follow).await);
                }
                Job::Logins { logins, reply } => {
                    let _ = reply.send(record_logins(&mut conn, &logins).await);
                }
                Job::Replace { snapshot, audit, reply } => {
                    commit_batch(&mut conn, &mut pending, &follow, &stats).await;
                    let _ = reply.send(run_replace(&mut conn, &snapshot, &audit, &follow).await);
                }
                Job::Close { reply } => {
                    commit_batch(&mut conn, &mut pending, &follow, &stats).await;
                    return Some(reply);
                }
            }
            if pending.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        commit_batch(&mut conn, &mut pending, &follow, &stats).await;
    }
    None
}

async fn run_import(conn: &mut Conn, set: ImportSet, follow: &Follow) -> Result<ImportReport> {
    let (client, _) = conn.get().await?;
    let (report, seq) = import::run(client, set).await?;
    follow.deliver_own(client, seq, Entry::Reload).await;
    Ok(report)
}

async fn run_replace(conn: &mut Conn, snapshot: &Snapshot, audit: &[AuditRecord], follow: &Follow) -> Result<()> {
    let (client, st) = conn.get().await?;
    let seq = replace::run(client, st, snapshot, audit).await?;
    follow.deliver_own(client, seq, Entry::Reload).await;
    Ok(())
}

async fn record_logins(conn: &mut Conn, logins: &[(UserId, bool, i64)]) -> Result<()> {
    let (client, st) = conn.get().await?;
    // Sign-in times are not worth waiting for a WAL flush.
    client.batch_execute("begin; set local synchronous_commit = off").await.map_err(internal)?;
    let r = commands::record_logins(client, st, logins).await;
    client.batch_execute(if r.is_ok() { "commit" } else { "rollback" }).await.map_err(internal)?;
    r
}

/// Starts a writing transaction and takes its change-log number, in one
/// round trip.
pub async fn begin(client: &Client) -> Result<i64> {
    let taken = client.simple_query("begin; update roster_log_head set seq = seq + 1 returning seq").await;
    let seq = taken.map_err(internal).and_then(|messages| {
        messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse::<i64>().ok()),
                _ => None,
            })
            .ok_or_else(|| internal("the change-log head is missing"))
    });
    if seq.is_err() {
        let _ = client.batch_execute("rollback").await;
    }
    seq
}

/// Appends the log entry `seq` (encoded `payload`) and commits. The two
/// statements are sent together: should the append fail, the server turns
/// the COMMIT of the failed transaction into a rollback.
pub async fn finish(client: &Client, st: &Statements, seq: i64, payload: &str) -> Result<()> {
    if seq % 1000 == 0 {
        if let Err(e) = client.execute(&st.prune_log, &[&(seq - LOG_RETAIN)]).await {
            let _ = client.batch_execute("rollback").await;
            return Err(internal(e));
        }
    }
    let at = now_ms();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&seq, &at, &payload];
    let (appended, committed) = futures::join!(client.execute(&st.append_log, &params), client.batch_execute("commit"));
    appended.map_err(internal)?;
    committed.map_err(internal)
}

async fn commit_batch(conn: &mut Conn, pending: &mut Pending, follow: &Follow, stats: &WriterStats) {
    if pending.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let jobs = std::mem::take(pending);
    let outcome = match conn.get().await {
        Ok((client, st)) => {
            let outcome = commit_jobs(client, st, &jobs).await;
            if outcome.is_err() {
                // Never leave a transaction open for the next batch.
                let _ = client.batch_execute("rollback").await;
            }
            outcome
        }
        Err(e) => Err(e),
    };
    let results = match outcome {
        Ok((results, committed)) => {
            if let (Some((seq, changes)), Ok((client, _))) = (committed, conn.get().await) {
                follow.deliver_own(client, seq, Entry::Changes(changes)).await;
            }
            results
        }
        Err(e) => {
            tracing::error!(error = %e, "commit failed");
            let msg = e.to_string();
            jobs.iter().map(|_| Err(internal(format!("commit: {msg}")))).collect()
        }
    };
    stats.commit(jobs.len(), u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    for ((_, reply), result) in jobs.into_iter().zip(results) {
        let _ = reply.send(result);
    }
}

type JobResults = Vec<Result<Vec<Change>>>;

/// Commits `jobs`; returns each job's result and, when anything changed,
/// the log number and the changes committed.
async fn commit_jobs(
    client: &Client,
    st: &Statements,
    jobs: &Pending,
) -> Result<(JobResults, Option<(i64, Vec<Change>)>)> {
    let mut seq = begin(client).await?;
    let simple = jobs.iter().flat_map(|(cmds, _)| cmds).all(commands::pipelinable);
    let fast = if simple { pipelined(client, st, jobs).await } else { None };
    let results = match fast {
        Some(r) => r,
        None if !simple => one_by_one(client, st, jobs).await?,
        None => {
            // A command failed and aborted the transaction: start again,
            // isolating each job in a savepoint.
            client.batch_execute("rollback").await.map_err(internal)?;
            seq = begin(client).await?;
            one_by_one(client, st, jobs).await?
        }
    };
    let changes: Vec<Change> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .flatten()
        .filter(|c| !matches!(c, Change::Unchanged))
        .cloned()
        .collect();
    // Audit records report `Unchanged` but are writes all the same.
    let audited = jobs
        .iter()
        .zip(&results)
        .any(|((cmds, _), r)| r.is_ok() && cmds.iter().any(|c| matches!(c, Command::Audit(_))));
    if changes.is_empty() && !audited {
        // Nothing to make durable: give the log number back.
        client.batch_execute("rollback").await.map_err(internal)?;
        return Ok((results, None));
    }
    finish(client, st, seq, &log::encode_changes(&changes)).await?;
    Ok((results, Some((seq, changes))))
}

/// Sends every command of every job back to back and then reads the
/// answers; `None` when any failed (the transaction is then aborted).
async fn pipelined(client: &Client, st: &Statements, jobs: &Pending) -> Option<JobResults> {
    let mut futs: Vec<Pin<Box<MaybeDone<_>>>> = jobs
        .iter()
        .flat_map(|(cmds, _)| cmds.iter())
        .map(|c| Box::pin(maybe_done(commands::execute(client, st, c))))
        .collect();
    // The first poll of each sends its statement, in command order.
    for f in futs.iter_mut() {
        let _ = futures::poll!(f.as_mut());
    }
    for f in futs.iter_mut() {
        f.as_mut().await;
    }
    let mut outputs = futs.iter_mut().map(|f| f.as_mut().take_output());
    let mut results = Vec::with_capacity(jobs.len());
    for (cmds, _) in jobs {
        let mut changes = Vec::with_capacity(cmds.len());
        for _ in cmds {
            changes.push(outputs.next()??.ok()?);
        }
        results.push(Ok(changes));
    }
    Some(results)
}

/// Runs each job in its own savepoint, one statement at a time.
async fn one_by_one(client: &Client, st: &Statements, jobs: &Pending) -> Result<JobResults> {
    let mut results = Vec::with_capacity(jobs.len());
    for (cmds, _) in jobs {
        client.batch_execute("savepoint job").await.map_err(internal)?;
        let mut changes = Vec::with_capacity(cmds.len());
        let mut failed = None;
        for cmd in cmds {
            match commands::execute(client, st, cmd).await {
                Ok(c) => changes.push(c),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match failed {
            None => {
                client.batch_execute("release savepoint job").await.map_err(internal)?;
                results.push(Ok(changes));
            }
            Some(e) => {
                client.batch_execute("rollback to savepoint job; release savepoint job").await.map_err(internal)?;
                results.push(Err(e));
            }
        }
    }
    Ok(results)
}
