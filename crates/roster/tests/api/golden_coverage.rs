//! Every operation the OpenAPI description lists has a golden success
//! answer among the snapshots, so a new route without one fails here. The
//! `/confluence` copies share their handlers with the root ones, and the
//! metrics and the description itself are not pinned (golden_roster.rs).

use std::path::Path;

use crate::described::{described, Described};
use crate::helpers::TestApp;

/// Operations whose bodies are not pinned, and why.
const UNPINNED: &[&str] = &[
    // Prometheus text whose figures change with every request.
    "metrics",
    // Checked in openapi.rs and by the schemathesis run.
    "openapiDescription",
];

/// The request line and status of each snapshot: (method, path, status).
fn pinned() -> Vec<(String, String, u16)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/snapshots");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the snapshots directory") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // A header between `---` lines, then the request line and the status.
        let mut body = text.splitn(3, "---\n").nth(2).expect("a snapshot header").lines();
        let (method, target) = body.next().unwrap().split_once(' ').unwrap();
        let status = body.next().unwrap().parse().unwrap();
        let path = target.split('?').next().unwrap();
        out.push((method.to_string(), path.to_string(), status));
    }
    out
}

/// Whether `path` is an instance of the description's `template`.
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

/// The described operation a request was answered by: the most literal
/// template that matches (`/group/picker` before `/group/{group}`).
fn operation<'a>(ops: &'a [Described], method: &str, path: &str) -> Option<&'a Described> {
    ops.iter()
        .filter(|d| d.method.as_str() == method && matches(&d.path, path))
        .min_by_key(|d| d.path.matches('{').count())
}

#[tokio::test]
async fn every_described_operation_has_a_golden_success_answer() {
    let app = TestApp::spawn().await;
    let ops = described(&app).await;
    let pinned = pinned();
    for (method, path, _) in &pinned {
        assert!(operation(&ops, method, path).is_some(), "a snapshot of {method} {path}, which is not described");
    }
    let missing: Vec<_> = ops
        .iter()
        .filter(|d| !d.id.starts_with("confluence_") && !UNPINNED.contains(&d.id.as_str()))
        .filter(|d| {
            !pinned.iter().any(|(m, p, status)| {
                (200..300).contains(status) && operation(&ops, m, p).is_some_and(|o| o.id == d.id)
            })
        })
        .map(|d| format!("{} {} ({})", d.method, d.path, d.id))
        .collect();
    assert!(missing.is_empty(), "operations without a golden success answer: {missing:#?}");
}

#[test]
fn the_most_literal_template_answers_a_path() {
    let ops: Vec<Described> = ["/wiki/rest/api/group/{group}", "/wiki/rest/api/group/picker"]
        .iter()
        .map(|p| Described { method: reqwest::Method::GET, path: p.to_string(), id: p.to_string() })
        .collect();
    assert_eq!(operation(&ops, "GET", "/wiki/rest/api/group/picker").unwrap().id, "/wiki/rest/api/group/picker");
    assert_eq!(operation(&ops, "GET", "/wiki/rest/api/group/crew").unwrap().id, "/wiki/rest/api/group/{group}");
    assert!(operation(&ops, "GET", "/wiki/rest/api/group/crew/member").is_none());
    assert!(operation(&ops, "POST", "/wiki/rest/api/group/crew").is_none());
}
