//! Prometheus metrics: requests by route, method and status, latency
//! histograms by route, and the directory's and store's gauges. The guard
//! (see `guard.rs`) records each answer through the [`RouteMetrics`] of the
//! route it matched: the route's histogram and counters are found there by
//! position, so recording hashes no labels and allocates nothing after a
//! route's first answer with a given method and status.

use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::Method;
use parking_lot::RwLock;
use prometheus_client::encoding::{text::encode, EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use roster_core::Directory;

/// The route template a request matched (`unmatched` when none did).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Route(Arc<str>);

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        encoder.write_str(&self.0)
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
struct FaultLabels {
    kind: &'static str,
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
    /// Faults injected by kind (see `faults.rs`).
    faults: Family<FaultLabels, Counter>,
    /// Connections open, refused and timed out (see `server.rs`).
    pub connections: crate::server::ConnectionMetrics,
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
        let faults = Family::<FaultLabels, Counter>::default();
        registry.register("faults_injected", "Requests a fault rule fired on, by kind", faults.clone());
        let connections = crate::server::ConnectionMetrics::default();
        connections.register(&mut registry);
        Telemetry { registry, requests, latency, users, groups, faults, connections }
    }

    /// The handle through which answers to `template` are counted. Its
    /// series appear in the output once it has counted something.
    pub fn route(&self, template: &str) -> RouteMetrics {
        RouteMetrics { route: Route(template.into()), latency: OnceLock::new(), answers: RwLock::new(Vec::new()) }
    }

    /// Counts one answer to a request for `route`.
    pub fn record(&self, route: &RouteMetrics, method: &Method, status: u16, took: Duration) {
        route
            .latency
            .get_or_init(|| self.latency.get_or_create(&RouteLabels { route: route.route.clone() }).clone())
            .observe(took.as_secs_f64());
        let known = |answers: &[(Method, u16, Counter)]| {
            answers.iter().find(|(m, s, _)| *s == status && m == method).map(|(_, _, c)| c.inc()).is_some()
        };
        if known(&route.answers.read()) {
            return;
        }
        let mut answers = route.answers.write();
        if !known(&answers) {
            let labels = RequestLabels { route: route.route.clone(), method: MethodLabel(method.clone()), status };
            let counter = self.requests.get_or_create(&labels).clone();
            counter.inc();
            answers.push((method.clone(), status, counter));
        }
    }

    /// Counts one injected fault of `kind` (`status`, `delay`, `drop`, `applyThenLose`).
    pub fn fault(&self, kind: &'static str) {
        self.faults.get_or_create(&FaultLabels { kind }).inc();
    }

    /// The registry as Prometheus text, with directory and store gauges.
    pub fn encode(&self, dir: &Directory) -> Result<String, std::fmt::Error> {
        let (users, groups) = dir.counts();
        self.users.set(users as i64);
        self.groups.set(groups as i64);
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
    dir.store_metrics_text()
}

/// One route's series, kept by the route table (see `routes.rs`).
pub struct RouteMetrics {
    route: Route,
    latency: OnceLock<Histogram>,
    /// The request counters of this route by method and status; a route
    /// answers with a handful of them.
    answers: RwLock<Vec<(Method, u16, Counter)>>,
}

impl RouteMetrics {
    /// The route's template.
    pub fn name(&self) -> &str {
        &self.route.0
    }

    /// The route's template, shared (what the request journal keeps).
    pub fn template(&self) -> std::sync::Arc<str> {
        self.route.0.clone()
    }
}
