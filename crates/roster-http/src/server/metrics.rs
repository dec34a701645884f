//! The connection metrics: connections open, refused over the cap, and
//! closed by a deadline (by which one). Registered with the rest in
//! `telemetry.rs`; touched per connection, never per request.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeadlineLabels {
    deadline: &'static str,
}

/// Counters of the accept loop and the connections' deadlines.
#[derive(Clone, Default)]
pub struct ConnectionMetrics {
    pub(crate) open: Gauge,
    pub(crate) refused: Counter,
    timed_out: Family<DeadlineLabels, Counter>,
}

impl ConnectionMetrics {
    /// Adds the series to `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register("connections_open", "HTTP connections open", self.open.clone());
        registry.register(
            "connections_refused",
            "HTTP connections closed at once because the connection cap was reached",
            self.refused.clone(),
        );
        registry.register(
            "connections_timed_out",
            "HTTP connections closed because a deadline passed (header, idle or write)",
            self.timed_out.clone(),
        );
    }

    /// Counts a connection closed because `deadline` passed.
    pub(crate) fn timed_out(&self, deadline: &'static str) {
        self.timed_out.get_or_create(&DeadlineLabels { deadline }).inc();
    }
}
