//! Keeping this instance's read model in step with the database. Every
//! commit, by any instance, is a numbered entry of `roster_changes`;
//! [`Follow`] remembers the last number applied to the model and applies
//! the following entries strictly in order, whoever notices them first:
//! the writer right after its own commit (so its callers read their own
//! writes), or the LISTEN task woken by another instance's NOTIFY (or by a
//! periodic poll, should a notification be lost). A hole in the numbers
//! (log pruned while this instance lagged) or an import's `reload` entry
//! replaces the model from a snapshot taken at a known log position.

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use roster_records::store::CommitListener;
use roster_records::{Change, Result};
use tokio::sync::{mpsc, oneshot, Mutex, Notify};
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use super::errors::internal;
use super::log::{self, Entry};
use super::rows;
use crate::stats::WriterStats;

/// How often the LISTEN task looks at the log even without a notification.
const POLL: Duration = Duration::from_millis(500);

/// How often the database's size is measured for `/metrics`.
const SIZE_EVERY: Duration = Duration::from_secs(15);

/// The model's position in the change log, and where changes go.
#[derive(Default)]
pub struct Follow {
    listener: RwLock<Option<Arc<dyn CommitListener>>>,
    /// Last log entry applied to the model; `None` until a snapshot fixed it.
    cursor: Mutex<Option<i64>>,
    wake: Notify,
}

impl Follow {
    fn listener(&self) -> Option<Arc<dyn CommitListener>> {
        self.listener.read().ok().and_then(|g| g.clone())
    }

    /// Sets the listener and asks for a catch-up of anything committed
    /// since the snapshot it was built from.
    pub fn set_listener(&self, l: Arc<dyn CommitListener>) {
        if let Ok(mut g) = self.listener.write() {
            *g = Some(l);
        }
        self.wake.notify_one();
    }

    /// Records that the model is being built from a snapshot at `seq`
    /// (only the first snapshot counts: later ones are for other readers).
    pub async fn snapshot_taken(&self, seq: i64) {
        let mut c = self.cursor.lock().await;
        if c.is_none() {
            *c = Some(seq);
        }
    }

    /// Delivers this instance's own commit `seq`, after every earlier entry.
    pub async fn deliver_own(&self, client: &Client, seq: i64, entry: Entry) {
        let Some(l) = self.listener() else { return };
        let mut guard = self.cursor.lock().await;
        let Some(at) = guard.as_mut() else { return };
        if *at >= seq {
            return; // the LISTEN task got here first
        }
        if *at < seq - 1 {
            if let Err(e) = catch_up(client, &*l, at, Some(seq - 1)).await {
                tracing::error!(error = %e, "could not catch up with the change log");
            }
        }
        if *at == seq - 1 {
            apply(client, &*l, at, seq, entry).await;
        } else if *at < seq {
            if let Err(e) = reload(client, &*l, at).await {
                tracing::error!(error = %e, "could not reload the model");
            }
        }
    }

    /// Whether log entry `seq` is already in the model.
    pub async fn has_applied(&self, seq: i64) -> bool {
        self.cursor.lock().await.is_some_and(|at| at >= seq)
    }

    /// Applies every entry after the cursor.
    pub async fn catch_up(&self, client: &Client) -> Result<()> {
        let Some(l) = self.listener() else { return Ok(()) };
        let mut guard = self.cursor.lock().await;
        match guard.as_mut() {
            Some(at) => catch_up(client, &*l, at, None).await,
            None => Ok(()),
        }
    }
}

async fn apply(client: &Client, l: &dyn CommitListener, at: &mut i64, seq: i64, entry: Entry) {
    match entry {
        Entry::Changes(changes) => {
            l.committed(&changes);
            *at = seq;
        }
        Entry::Reload => {
            if let Err(e) = reload(client, l, at).await {
                tracing::error!(error = %e, "could not reload the model after an import");
            }
        }
    }
}

/// Replaces the model from a snapshot and moves the cursor to its position.
async fn reload(client: &Client, l: &dyn CommitListener, at: &mut i64) -> Result<()> {
    let (snapshot, seq) = rows::snapshot(client).await?;
    l.committed(&[Change::Reloaded(Box::new(snapshot))]);
    *at = seq;
    Ok(())
}

/// Applies the entries after `*at` (up to `upto`), in order.
async fn catch_up(client: &Client, l: &dyn CommitListener, at: &mut i64, upto: Option<i64>) -> Result<()> {
    let rows = client
        .query(
            "select seq, payload from roster_changes where seq > $1 and seq <= $2 order by seq",
            &[&*at, &upto.unwrap_or(i64::MAX)],
        )
        .await
        .map_err(internal)?;
    for r in rows {
        let seq: i64 = r.get(0);
        if seq <= *at {
            continue; // covered by a reload earlier in this loop
        }
        let entry = if seq == *at + 1 { log::decode(r.get(1)) } else { Ok(Entry::Reload) };
        let entry = entry.unwrap_or_else(|e| {
            tracing::warn!(error = %e, seq, "unreadable change-log entry; reloading");
            Entry::Reload
        });
        apply(client, l, at, seq, entry).await;
    }
    if let Some(upto) = upto {
        if *at < upto {
            // Entries we need are gone (pruned): only a snapshot can help.
            reload(client, l, at).await?;
        }
    }
    Ok(())
}

/// The LISTEN task: follows other instances' commits until `stop` fires
/// (the store was dropped). Reconnects, with back-off, after a failure.
pub async fn run(config: Config, follow: Arc<Follow>, stats: Arc<WriterStats>, mut stop: oneshot::Receiver<()>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            r = session(&config, &follow, &stats) => {
                if let Err(e) = r {
                    tracing::warn!(error = %e, "change-log listener lost its connection; reconnecting");
                }
            }
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// One connection's worth of following: LISTEN, catch up, then wait for
/// notifications, wake-ups or the poll interval.
async fn session(config: &Config, follow: &Follow, stats: &WriterStats) -> Result<()> {
    let (client, mut conn) = config.connect(NoTls).await.map_err(internal)?;
    let (tx, mut notes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(m) = futures::StreamExt::next(&mut messages).await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().parse::<i64>().ok()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "change-log listener connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute("listen roster_changes").await.map_err(internal)?;
    let mut sized = Instant::now() - SIZE_EVERY;
    let mut due = true;
    loop {
        if due {
            follow.catch_up(&client).await?;
        }
        if sized.elapsed() >= SIZE_EVERY {
            sized = Instant::now();
            let size = client.query_one("select pg_database_size(current_database())", &[]).await.map_err(internal)?;
            stats.size_bytes.store(u64::try_from(size.get::<_, i64>(0)).unwrap_or(0), Ordering::Relaxed);
        }
        due = true;
        tokio::select! {
            n = notes.recv() => {
                let Some(mut newest) = n else { return Err(internal("connection closed")) };
                while let Ok(m) = notes.try_recv() {
                    newest = newest.max(m);
                }
                // This instance's own commits are usually applied by its
                // writer already: no need to read the log for them.
                if let Some(seq) = newest {
                    due = !follow.has_applied(seq).await;
                }
            }
            _ = follow.wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
