//! Figures about the writer's group commits, kept in atomics by the writer
//! thread and rendered in Prometheus text format for `/metrics`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the batch-size buckets (jobs per commit).
const BATCH_BOUNDS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024];
/// Upper bounds of the commit-latency buckets, in microseconds.
const LATENCY_BOUNDS_US: [u64; 12] =
    [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000];

/// Counters shared by the writer thread and the store.
#[derive(Default)]
pub struct WriterStats {
    batch: [AtomicU64; BATCH_BOUNDS.len() + 1],
    batch_sum: AtomicU64,
    latency: [AtomicU64; LATENCY_BOUNDS_US.len() + 1],
    latency_sum_us: AtomicU64,
    commits: AtomicU64,
}

fn bucket(bounds: &[u64], v: u64) -> usize {
    bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len())
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

    /// Prometheus text for these figures and the size of the files at `db`.
    pub fn render(&self, db: &Path) -> String {
        let mut o = String::new();
        let count = self.commits.load(Ordering::Relaxed);
        let _ = writeln!(o, "# HELP roster_store_commit_batch_jobs Jobs committed together (group commit).");
        let _ = writeln!(o, "# TYPE roster_store_commit_batch_jobs histogram");
        let mut cum = 0;
        for (i, b) in BATCH_BOUNDS.iter().enumerate() {
            cum += self.batch[i].load(Ordering::Relaxed);
            let _ = writeln!(o, "roster_store_commit_batch_jobs_bucket{{le=\"{b}\"}} {cum}");
        }
        let _ = writeln!(o, "roster_store_commit_batch_jobs_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(o, "roster_store_commit_batch_jobs_sum {}", self.batch_sum.load(Ordering::Relaxed));
        let _ = writeln!(o, "roster_store_commit_batch_jobs_count {count}");
        let _ = writeln!(o, "# HELP roster_store_commit_seconds Time to execute and durably commit one batch.");
        let _ = writeln!(o, "# TYPE roster_store_commit_seconds histogram");
        let mut cum = 0;
        for (i, b) in LATENCY_BOUNDS_US.iter().enumerate() {
            cum += self.latency[i].load(Ordering::Relaxed);
            let _ = writeln!(o, "roster_store_commit_seconds_bucket{{le=\"{}\"}} {cum}", *b as f64 / 1e6);
        }
        let _ = writeln!(o, "roster_store_commit_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ =
            writeln!(o, "roster_store_commit_seconds_sum {}", self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(o, "roster_store_commit_seconds_count {count}");
        let size: u64 = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
            .map(|m| m.len())
            .sum();
        let _ = writeln!(o, "# HELP roster_store_size_bytes Size of the database files (main, WAL, shared memory).");
        let _ = writeln!(o, "# TYPE roster_store_size_bytes gauge");
        let _ = writeln!(o, "roster_store_size_bytes {size}");
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
        let text = s.render(std::path::Path::new("/nonexistent"));
        assert!(text.contains("roster_store_commit_batch_jobs_bucket{le=\"1\"} 1"));
        assert!(text.contains("roster_store_commit_batch_jobs_bucket{le=\"64\"} 2"));
        assert!(text.contains("roster_store_commit_batch_jobs_sum 41"));
        assert!(text.contains("roster_store_commit_seconds_count 2"));
    }
}
