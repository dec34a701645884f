//! The connection settings of `roster serve` (also `roster.toml` keys and
//! `ROSTER_*` variables): read deadlines, the connection cap and the
//! shutdown grace, turned into the HTTP server's [`Limits`].
//! docs/reliability.md ("Connections and timeouts") explains each.

use std::time::Duration;

use clap::Args;
use roster_http::server::Limits;

use crate::fdlimit;

/// A duration in seconds (decimals allowed: `0.5`), more than zero and at
/// most a day.
fn seconds(text: &str) -> Result<Duration, String> {
    let d = seconds_or_zero(text)?;
    if d.is_zero() {
        return Err("must be more than 0 seconds".into());
    }
    Ok(d)
}

/// Like [`seconds`], but 0 is allowed.
fn seconds_or_zero(text: &str) -> Result<Duration, String> {
    let n: f64 =
        text.trim().trim_end_matches('s').parse().map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !n.is_finite() || !(0.0..=86_400.0).contains(&n) {
        return Err(format!("'{text}' is not between 0 and 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(n))
}

/// Options of `roster serve` for connections.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Seconds a request's head (request line and headers) may take to
    /// arrive, from its first byte; a new connection must send its first
    /// request within it too.
    #[arg(long, env = "ROSTER_HEADER_READ_TIMEOUT", default_value = "10", value_parser = seconds)]
    pub header_read_timeout: Duration,
    /// Seconds a kept-alive connection may wait for its next request (and a
    /// client may leave an answer unread) before it is closed.
    #[arg(long, env = "ROSTER_IDLE_TIMEOUT", default_value = "60", value_parser = seconds)]
    pub idle_timeout: Duration,
    /// Seconds a request body may take to arrive, from the first read.
    #[arg(long, env = "ROSTER_BODY_READ_TIMEOUT", default_value = "30", value_parser = seconds)]
    pub body_read_timeout: Duration,
    /// Bytes per second a request body must arrive at, on average, after
    /// its first 5 seconds (0: no floor; the total bound still applies).
    #[arg(long, env = "ROSTER_BODY_MIN_RATE", default_value = "1024")]
    pub body_min_rate: u32,
    /// Connections served at once; more are answered 503 and closed at
    /// once. Default: the open-file limit less 256, at most 16384.
    #[arg(long, env = "ROSTER_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
    /// Seconds requests in flight may take to finish after SIGTERM or
    /// SIGINT; then every connection still open is closed.
    #[arg(long, env = "ROSTER_SHUTDOWN_GRACE", default_value = "10", value_parser = seconds_or_zero)]
    pub shutdown_grace: Duration,
}

impl ConnectionArgs {
    /// The server's limits under a soft open-file limit of `soft`
    /// descriptors. A cap the limit cannot hold is lowered, with a warning:
    /// past it, accepting fails and the store cannot open its files.
    pub fn limits(&self, soft: u64) -> Limits {
        let fits = fdlimit::connections_for(soft);
        let max_connections = match self.max_connections {
            None => fdlimit::default_max_connections(soft),
            Some(n) if n as usize > fits => {
                tracing::warn!(
                    max_connections = n,
                    open_file_limit = soft,
                    lowered_to = fits,
                    "max-connections is more than the open-file limit allows; lowered"
                );
                fits
            }
            Some(n) => n as usize,
        };
        Limits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            body_read_timeout: self.body_read_timeout,
            body_min_rate: self.body_min_rate,
            max_connections,
            shutdown_grace: self.shutdown_grace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_seconds_with_decimals() {
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("2s"), Ok(Duration::from_secs(2)));
        assert!(seconds("0").unwrap_err().contains("more than 0"));
        assert!(seconds("ten").unwrap_err().contains("not a number"));
        assert!(seconds("-1").is_err());
        assert!(seconds("1e9").is_err());
        assert_eq!(seconds_or_zero("0"), Ok(Duration::ZERO));
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        c: ConnectionArgs,
    }

    #[test]
    fn the_defaults_are_the_documented_ones_and_the_cap_follows_the_fd_limit() {
        use clap::Parser;
        let c = Cli::try_parse_from(["x"]).unwrap().c;
        let l = c.limits(1024);
        assert_eq!(l, Limits { max_connections: 768, ..Limits::default() });
        let c = Cli::try_parse_from(["x", "--max-connections", "5000"]).unwrap().c;
        assert_eq!(c.limits(1024).max_connections, 768);
        assert_eq!(c.limits(20_000).max_connections, 5000);
        assert!(Cli::try_parse_from(["x", "--max-connections", "0"]).is_err());
    }
}
