//! Prometheus metrics: requests by route, method and status, latency
//! histograms by route, and the directory's and store's gauges. The guard
//! layer (see `guard.rs`) records each answer. Counting is a hash lookup
//! under a read lock and a few atomic increments; the labels borrow the
//! route's shared name (`MatchedPath` is an `Arc<str>`) and the method, so
//! recording allocates nothing.

use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::Method;
use prometheus_client::encoding::{text::encode, EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use roster_core::Directory;

/// The route template a request matched (`unmatched` for the fallback).
#[derive(Clone, Debug)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl Hash for Route {
    /// The length and the first and last eight bytes: equal routes hash
    /// alike, the few routes there are rarely collide, and the label maps'
    /// SipHash gets one word per request instead of the whole template.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let b = self.as_str().as_bytes();
        let word = |s: &[u8]| s.iter().fold(0u64, |w, &c| w << 8 | u64::from(c));
        let (head, tail) = (&b[..b.len().min(8)], &b[b.len().saturating_sub(8)..]);
        state.write_u64(word(head) ^ word(tail).rotate_left(29) ^ b.len() as u64);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        encoder.write_str(self.as_str())
    }
}

/// The request method as a label.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct MethodLabel(Method);

impl EncodeLabelValue for MethodLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        encoder.write_str(self.0.as_str())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    method: MethodLabel,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

/// The process's metrics registry.
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    users: Gauge,
    groups: Gauge,
}

impl Default for Telemetry {
    fn default() -> Self {
        Self::new()
    }
}

impl Telemetry {
    /// A fresh registry.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("roster");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let (users, groups) = (Gauge::default(), Gauge::default());
        registry.register("http_requests", "HTTP requests by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("users", "Users in the directory", users.clone());
        registry.register("groups", "Groups in the directory", groups.clone());
        Telemetry { registry, requests, latency, users, groups }
    }

    /// Counts one answer to a request for `route` (`None`: no route matched).
    pub fn record(&self, route: Option<MatchedPath>, method: Method, status: u16, took: Duration) {
        let route = Route(route);
        self.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(took.as_secs_f64());
        self.requests.get_or_create(&RequestLabels { route, method: MethodLabel(method), status }).inc();
    }

    /// The registry as Prometheus text, with directory and store gauges.
    pub fn encode(&self, dir: &Directory) -> Result<String, std::fmt::Error> {
        {
            let m = dir.read();
            self.users.set(m.user_count() as i64);
            self.groups.set(m.group_count() as i64);
        }
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        if let Some(extra) = store_metrics(dir) {
            // The store's figures are appended before the EOF marker.
            if let Some(pos) = out.rfind("# EOF") {
                out.insert_str(pos, &extra);
            }
        }
        Ok(out)
    }
}

/// Store figures (commit latency, batch sizes, size on disk), when the
/// store reports them.
fn store_metrics(dir: &Directory) -> Option<String> {
    dir.store().metrics_text()
}
