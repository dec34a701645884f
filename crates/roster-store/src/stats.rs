//! Figures about a store writer's group commits (batch sizes, commit
//! latency) and the store's size, in Prometheus text format for
//! `/metrics`. Both stores use it, so the metric names are the same.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the batch-size buckets (jobs per commit).
const BATCH_BOUNDS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024];
/// Upper bounds of the commit-latency buckets, in microseconds.
const LATENCY_BOUNDS_US: [u64; 12] =
    [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000];

/// Counters shared by a store's writer and the store.
#[derive(Default)]
pub struct WriterStats {
    batch: [AtomicU64; BATCH_BOUNDS.len() + 1],
    batch_sum: AtomicU64,
    latency: [AtomicU64; LATENCY_BOUNDS_US.len() + 1],
    latency_sum_us: AtomicU64,
    commits: AtomicU64,
    /// Bytes on disk: the SQLite files, or `pg_database_size` (refreshed by
    /// the PostgreSQL change-log listener).
    pub size_bytes: AtomicU64,
}

fn bucket(bounds: &[u64], v: u64) -> usize {
    bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len())
}

fn histogram(o: &mut String, name: &str, help: &str, bounds: &[(String, u64)], sum: String, count: u64) {
    let _ = writeln!(o, "# HELP {name} {help}");
    let _ = writeln!(o, "# TYPE {name} histogram");
    let mut cum = 0;
    for (le, n) in bounds {
        cum += n;
        let _ = writeln!(o, "{name}_bucket{{le=\"{le}\"}} {cum}");
    }
    let _ = writeln!(o, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(o, "{name}_sum {sum}");
    let _ = writeln!(o, "{name}_count {count}");
}

impl WriterStats {
    /// Records one commit of `jobs` jobs that took `micros`.
    pub fn commit(&self, jobs: usize, micros: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.batch[bucket(&BATCH_BOUNDS, jobs as u64)].fetch_add(1, Ordering::Relaxed);
        self.batch_sum.fetch_add(jobs as u64, Ordering::Relaxed);
        self.latency[bucket(&LATENCY_BOUNDS_US, micros)].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(micros, Ordering::Relaxed);
    }

    /// Prometheus text for these figures.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let count = self.commits.load(Ordering::Relaxed);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let batches: Vec<(String, u64)> =
            BATCH_BOUNDS.iter().zip(&self.batch).map(|(b, n)| (b.to_string(), load(n))).collect();
        histogram(
            &mut o,
            "roster_store_commit_batch_jobs",
            "Jobs committed together (group commit).",
            &batches,
            load(&self.batch_sum).to_string(),
            count,
        );
        let latencies: Vec<(String, u64)> = LATENCY_BOUNDS_US
            .iter()
            .zip(&self.latency)
            .map(|(b, n)| ((*b as f64 / 1e6).to_string(), load(n)))
            .collect();
        histogram(
            &mut o,
            "roster_store_commit_seconds",
            "Time to execute and durably commit one batch.",
            &latencies,
            (load(&self.latency_sum_us) as f64 / 1e6).to_string(),
            count,
        );
        let _ = writeln!(o, "# HELP roster_store_size_bytes Size of the store on disk.");
        let _ = writeln!(o, "# TYPE roster_store_size_bytes gauge");
        let _ = writeln!(o, "roster_store_size_bytes {}", load(&self.size_bytes));
        o
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn buckets_are_cumulative_and_counts_add_up() {
        let s = super::WriterStats::default();
        s.commit(1, 80);
        s.commit(40, 3_000);
        let text = s.render();
        assert!(text.contains("roster_store_commit_batch_jobs_bucket{le=\"1\"} 1"));
        assert!(text.contains("roster_store_commit_batch_jobs_bucket{le=\"64\"} 2"));
        assert!(text.contains("roster_store_commit_batch_jobs_sum 41"));
        assert!(text.contains("roster_store_commit_seconds_count 2"));
    }
}
