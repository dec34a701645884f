//! The route table the guard looks a request's path up in before the
//! router sees it: which route template the request is for, for the
//! metrics and the logs, and whether the guard calls its GET handler
//! itself (see `direct.rs`). The guard wraps the whole router rather than each
//! route (see `guard.rs`), so axum's per-route `MatchedPath` is not there to
//! read; matching here with matchit, the matcher axum itself routes with,
//! costs less than the boxed layer per route it replaces.

use roster_core::model::FastMap;

use crate::middleware::direct::Direct;
use crate::middleware::telemetry::{RouteMetrics, Telemetry};

/// Route templates (axum syntax: `/group/{name}`, `/{*rest}`) and their metrics.
pub struct Routes {
    /// Templates without parameters, found by one hash lookup (the
    /// matcher walks its tree a byte run at a time; it still decides every
    /// other path, and a template it holds always wins there too).
    fixed: FastMap<Box<str>, usize>,
    matcher: matchit::Router<usize>,
    /// One per template, in insertion order; the last is `unmatched`.
    metrics: Vec<RouteMetrics>,
    /// By position, like `metrics`: the GET handler to call without the router.
    direct_gets: Vec<Option<Direct>>,
}

impl Routes {
    /// A table of `templates`; a template given twice counts once.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a str>, telemetry: &Telemetry) -> Self {
        let mut matcher = matchit::Router::new();
        let mut fixed = FastMap::default();
        let mut metrics = Vec::new();
        for t in templates {
            if matcher.insert(t, metrics.len()).is_ok() {
                if !t.contains('{') {
                    fixed.insert(t.into(), metrics.len());
                }
                metrics.push(telemetry.route(t));
            }
        }
        metrics.push(telemetry.route("unmatched"));
        let direct_gets = metrics.iter().map(|_| None).collect();
        Routes { fixed, matcher, metrics, direct_gets }
    }

    /// Has GETs of `template`, one of the table's templates without
    /// parameters, answered by `handler` without the router. Anything else
    /// is a mistake in the wiring, refused with the reason.
    pub fn set_direct_get(&mut self, template: &str, handler: Direct) -> Result<(), String> {
        if template.contains('{') {
            return Err(format!("{template}: a direct handler would miss its path parameters"));
        }
        match self.fixed.get(template) {
            Some(&position) => {
                self.direct_gets[position] = Some(handler);
                Ok(())
            }
            None => Err(format!("{template} is not a route template")),
        }
    }

    /// The GET handler of the route at `position` that the guard calls itself, if any.
    pub fn direct_get(&self, position: usize) -> Option<&Direct> {
        self.direct_gets[position].as_ref()
    }

    /// The position of the route `path` is for (of `unmatched` when none is).
    pub fn find(&self, path: &str) -> usize {
        if let Some(&position) = self.fixed.get(path) {
            return position;
        }
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

    #[test]
    fn only_templates_without_parameters_take_direct_handlers() {
        let t = Telemetry::new();
        let mut routes = Routes::new(["/wiki/rest/api/group", "/rest/api/group/{name}"], &t);
        let handler = || crate::middleware::direct::direct(|| async { "direct" });
        assert!(routes.set_direct_get("/rest/api/group/{name}", handler()).is_err());
        assert!(routes.set_direct_get("/wiki/rest/api/user", handler()).is_err());
        assert!(routes.set_direct_get("/wiki/rest/api/group", handler()).is_ok());
        assert!(routes.direct_get(routes.find("/wiki/rest/api/group")).is_some());
        assert!(routes.direct_get(routes.find("/rest/api/group/x")).is_none());
        assert!(routes.direct_get(routes.find("/nothing")).is_none());
    }
}
