//! What every handler can reach: the directory and the public base URL.

use std::sync::Arc;

use roster_core::Directory;

use crate::ratelimit::{Limiter, RateLimit};
use crate::telemetry::Telemetry;

/// Shared state of the HTTP layer.
#[derive(Clone)]
pub struct AppState {
    pub dir: Arc<Directory>,
    /// Public URL of the server without a trailing slash, e.g.
    /// `http://127.0.0.1:8090`; links in responses start with it.
    pub public_url: Arc<str>,
    /// `public_url` + `/wiki`: Cloud's `_links.base`.
    pub cloud_base: Arc<str>,
    /// Per-caller request budget; `None` (the default) means unlimited.
    pub limiter: Option<Arc<Limiter>>,
    /// Request ids and Prometheus metrics.
    pub telemetry: Arc<Telemetry>,
    /// Snapshots for test-suite resets.
    pub shelf: Arc<roster_core::snapshots::Shelf>,
}

impl AppState {
    /// State for `dir`, answering with links under `public_url`.
    pub fn new(dir: Arc<Directory>, public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/');
        AppState {
            dir,
            public_url: public_url.into(),
            cloud_base: format!("{public_url}/wiki").into(),
            limiter: None,
            telemetry: Arc::new(Telemetry::new()),
            shelf: Default::default(),
        }
    }

    /// The same state with a per-caller budget (`None`: unlimited).
    pub fn with_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.limiter = limit.map(|l| Arc::new(Limiter::new(l)));
        self
    }
}
