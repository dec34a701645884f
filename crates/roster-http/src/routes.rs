//! The route table the guard looks a request's path up in before the
//! router sees it: which route template the request is for, for the
//! metrics and the logs. The guard wraps the whole router rather than each
//! route (see `guard.rs`), so axum's per-route `MatchedPath` is not there to
//! read; matching here with matchit, the matcher axum itself routes with,
//! costs less than the boxed layer per route it replaces.

use crate::telemetry::{RouteMetrics, Telemetry};

/// Route templates (axum syntax: `/group/{name}`, `/{*rest}`) and their metrics.
pub struct Routes {
    matcher: matchit::Router<usize>,
    /// One per template, in insertion order; the last is `unmatched`.
    metrics: Vec<RouteMetrics>,
}

impl Routes {
    /// A table of `templates`; a template given twice counts once.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a str>, telemetry: &Telemetry) -> Self {
        let mut matcher = matchit::Router::new();
        let mut metrics = Vec::new();
        for t in templates {
            if matcher.insert(t, metrics.len()).is_ok() {
                metrics.push(telemetry.route(t));
            }
        }
        metrics.push(telemetry.route("unmatched"));
        Routes { matcher, metrics }
    }

    /// The position of the route `path` is for (of `unmatched` when none is).
    pub fn find(&self, path: &str) -> usize {
        self.matcher.at(path).map_or(self.metrics.len() - 1, |m| *m.value)
    }

    /// The route at `position` (as [`Routes::find`] gave it).
    pub fn get(&self, position: usize) -> &RouteMetrics {
        &self.metrics[position]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_templates_and_others_find_unmatched() {
        let t = Telemetry::new();
        let routes = Routes::new(["/wiki/rest/api/group", "/rest/api/group/{name}", "/files/{*rest}"], &t);
        assert_eq!(routes.get(routes.find("/wiki/rest/api/group")).name(), "/wiki/rest/api/group");
        assert_eq!(routes.get(routes.find("/rest/api/group/dev%20ops")).name(), "/rest/api/group/{name}");
        assert_eq!(routes.get(routes.find("/files/a/b/c")).name(), "/files/{*rest}");
        assert_eq!(routes.get(routes.find("/wiki/rest/api/group/")).name(), "unmatched");
        assert_eq!(routes.get(routes.find("/nothing")).name(), "unmatched");
    }
}
