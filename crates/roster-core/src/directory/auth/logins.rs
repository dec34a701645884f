//! Sign-in times, buffered and written off the durable path, and the
//! periodic task that flushes them and sweeps the sign-in throttle.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::directory::Directory;
use crate::error::Result;
use crate::model::FastMap;
use crate::types::UserId;

/// Sign-ins waiting for the next flush. Only the latest success and the
/// latest failure of each user are kept: a client making 50,000 requests a
/// second would otherwise queue 50,000 row updates a second on the store's
/// writer (and a sort of them per flush).
#[derive(Default)]
pub(in crate::directory) struct Logins(FastMap<(UserId, bool), i64>);

impl Logins {
    pub fn note(&mut self, user: UserId, ok: bool, at: i64) {
        let latest = self.0.entry((user, ok)).or_insert(at);
        *latest = (*latest).max(at);
    }

    fn take(&mut self) -> Vec<(UserId, bool, i64)> {
        std::mem::take(&mut self.0).into_iter().map(|((user, ok), at)| (user, ok, at)).collect()
    }
}

/// The throttle is swept once per this many flush periods.
const SWEEP_EVERY: u32 = 10;

impl Directory {
    /// Writes buffered sign-in times to the model and the store. Called
    /// periodically by [`Directory::start_login_flusher`].
    pub async fn flush_logins(&self) -> Result<()> {
        let batch = self.auth.logins.lock().take();
        if batch.is_empty() {
            return Ok(());
        }
        // Store first, then model: a user record saved by a concurrent write
        // is re-read from the store, so writing the model last keeps it from
        // being overwritten with the older sign-in times.
        let result = self.store.record_logins(batch.clone()).await;
        self.model.write().note_logins(&batch);
        result
    }

    /// Spawns the task that flushes sign-in times every `period` and sweeps
    /// lapsed throttle entries every ten periods; it ends when the
    /// directory is dropped.
    pub fn start_login_flusher(self: &Arc<Self>, period: Duration) {
        let weak: Weak<Directory> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = 0u32;
            loop {
                tokio::time::sleep(period).await;
                let Some(dir) = weak.upgrade() else { break };
                if let Err(e) = dir.flush_logins().await {
                    tracing::warn!(error = %e, "could not record sign-in times");
                }
                tick = tick.wrapping_add(1);
                if tick.is_multiple_of(SWEEP_EVERY) {
                    dir.auth.throttle.sweep();
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flush_keeps_the_latest_success_and_failure_of_each_user() {
        let (a, b) = (UserId(1), UserId(2));
        let mut logins = Logins::default();
        for (u, ok, at) in [(a, true, 5), (b, false, 3), (a, true, 9), (a, false, 4), (a, true, 7), (b, false, 8)] {
            logins.note(u, ok, at);
        }
        let mut got = logins.take();
        got.sort();
        assert_eq!(got, vec![(a, false, 4), (a, true, 9), (b, false, 8)]);
    }
}
