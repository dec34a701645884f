//! What every handler can reach: the directory and the public base URL.

use std::sync::Arc;

use roster_core::Directory;

/// Shared state of the HTTP layer.
#[derive(Clone)]
pub struct AppState {
    pub dir: Arc<Directory>,
    /// Public URL of the server without a trailing slash, e.g.
    /// `http://127.0.0.1:8090`; links in responses start with it.
    pub public_url: Arc<str>,
    /// `public_url` + `/wiki`: Cloud's `_links.base`.
    pub cloud_base: Arc<str>,
}

impl AppState {
    /// State for `dir`, answering with links under `public_url`.
    pub fn new(dir: Arc<Directory>, public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/');
        AppState { dir, public_url: public_url.into(), cloud_base: format!("{public_url}/wiki").into() }
    }
}
