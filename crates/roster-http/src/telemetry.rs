//! Per-request telemetry: a tracing span carrying the request id (set by
//! the context layer, see `context.rs`) and Prometheus metrics (requests by
//! route, method and status; latency histograms by route). Counting is a
//! few atomic increments: cheap enough for the hot path.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::{text::encode, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use roster_core::Directory;
use tracing::Instrument;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
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

/// The middleware: span and metrics.
pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let t: &Arc<Telemetry> = &s.telemetry;
    let id = roster_core::context::current().map(|c| c.request_id.clone()).unwrap_or_default();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let span = tracing::debug_span!("request", request_id = %id, %method, route = %route);
    let resp = next.run(req).instrument(span).await;
    let status = resp.status().as_u16();
    t.requests.get_or_create(&RequestLabels { route: route.clone(), method, status }).inc();
    t.latency.get_or_create(&RouteLabels { route }).observe(started.elapsed().as_secs_f64());
    tracing::debug!(request_id = %id, status, micros = started.elapsed().as_micros() as u64, "request done");
    resp
}
