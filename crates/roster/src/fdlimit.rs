//! The open-file limit. Every connection is a file descriptor, and the
//! soft limit most systems start a process with (1,024) is far below the
//! hard one; `roster serve` raises the soft limit to the hard limit at
//! start, and its default connection cap is derived from the result, less
//! a reserve for the store, the logs and the runtime.

/// Descriptors kept back from connections: the SQLite file, its WAL and
/// shared-memory files, snapshot and CLI connections, PostgreSQL
/// connections, stdio, the runtime's own (epoll, eventfd, signal pipe).
pub const RESERVE: u64 = 256;

/// The default cap's ceiling whatever the limit: an idle connection costs
/// some tens of kilobytes of buffers, so 16,384 of them stay well under a
/// gigabyte. `max-connections` may go higher.
pub const CEILING: u64 = 16_384;

/// The soft limit before and after [`raise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdLimit {
    pub before: u64,
    pub now: u64,
    pub hard: u64,
}

/// The current soft and hard limits.
#[cfg(unix)]
pub fn current() -> std::io::Result<(u64, u64)> {
    rlimit::Resource::NOFILE.get()
}

/// No `RLIMIT_NOFILE` here.
#[cfg(not(unix))]
pub fn current() -> std::io::Result<(u64, u64)> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no RLIMIT_NOFILE on this platform"))
}

/// Raises the soft limit to the hard limit, and logs what it did.
pub fn raise() -> std::io::Result<FdLimit> {
    let (before, hard) = current()?;
    let now = rlimit::increase_nofile_limit(u64::MAX)?;
    let limit = FdLimit { before, now, hard };
    if now > before {
        tracing::info!(before, now, hard, "raised the open-file limit (RLIMIT_NOFILE) to the hard limit");
    } else {
        tracing::info!(soft = now, hard, "open-file limit (RLIMIT_NOFILE) already at the hard limit");
    }
    Ok(limit)
}

/// Connections that fit under a soft limit of `soft` descriptors.
pub fn connections_for(soft: u64) -> usize {
    soft.saturating_sub(RESERVE).max(16) as usize
}

/// The default connection cap for a soft limit of `soft` descriptors.
pub fn default_max_connections(soft: u64) -> usize {
    connections_for(soft).min(CEILING as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_keeps_a_reserve_and_a_ceiling() {
        assert_eq!(default_max_connections(1024), 768);
        assert_eq!(default_max_connections(20_000), 16_384);
        assert_eq!(default_max_connections(100), 16);
        assert_eq!(connections_for(1_048_576), 1_048_320);
    }
}
