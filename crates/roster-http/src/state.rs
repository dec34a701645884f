//! What every handler can reach: the directory and the public base URL.
//! Axum clones the state for every extractor and middleware of every
//! request, so it is one `Arc` (one reference count to touch), not a
//! struct of them.

use std::ops::Deref;
use std::sync::Arc;

use roster_core::Directory;

use crate::middleware::ratelimit::{Limiter, RateLimit};
use crate::middleware::telemetry::Telemetry;

/// Shared state of the HTTP layer (cheap to clone; see [`Shared`]).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields behind [`AppState`].
pub struct Shared {
    pub dir: Arc<Directory>,
    /// Public URL of the server without a trailing slash, e.g.
    /// `http://127.0.0.1:8090`; links in responses start with it.
    pub public_url: Arc<str>,
    /// `public_url` + `/wiki`: Cloud's `_links.base`.
    pub cloud_base: Arc<str>,
    /// `cloud_base` escaped for use inside a JSON string, once rather than
    /// for every user on a page.
    pub cloud_base_json: Arc<str>,
    /// Per-caller request budget; `None` (the default) means unlimited.
    pub limiter: Option<Arc<Limiter>>,
    /// Request ids and Prometheus metrics.
    pub telemetry: Arc<Telemetry>,
    /// Snapshots for test-suite resets.
    pub shelf: Arc<roster_core::snapshots::Shelf>,
    /// The request journal (off until configured).
    pub journal: Arc<crate::journal::Journal>,
    /// Fault rules (none until added).
    pub faults: Arc<crate::faults::Faults>,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State for `dir`, answering with links under `public_url`, with a
    /// per-caller budget (`None`: unlimited).
    pub fn new(dir: Arc<Directory>, public_url: &str, limit: Option<RateLimit>) -> Self {
        let public_url = public_url.trim_end_matches('/');
        let cloud_base = format!("{public_url}/wiki");
        let mut cloud_base_json = Vec::new();
        crate::wire::json::escape(&mut cloud_base_json, &cloud_base);
        AppState(Arc::new(Shared {
            dir,
            public_url: public_url.into(),
            cloud_base_json: String::from_utf8_lossy(&cloud_base_json).into(),
            cloud_base: cloud_base.into(),
            limiter: limit.map(Limiter::shared),
            telemetry: Arc::new(Telemetry::new()),
            shelf: Default::default(),
            journal: Default::default(),
            faults: Default::default(),
        }))
    }
}
