//! Fault injection: rules, added at run time (`/rest/roster/1.0/faults`)
//! or at start (`roster serve --faults FILE`), that make roster misbehave
//! on purpose the way Confluence does: a status with the dialect's error
//! body (429 with `Retry-After` and the rate-limit headers), a slow answer,
//! a dropped connection, or a write that commits and whose answer is lost.
//!
//! Rules are tried in the order they were added; the first that fires
//! decides. With no rule in force a request pays one relaxed atomic load
//! ([`Faults::active`]); the guard (`middleware/guard.rs`) does the rest.
//! roster's own control routes (`/rest/roster/1.0/...`) are never faulted.
//! `--no-faults` (`faults = false`) refuses every rule, for shared
//! deployments.

pub mod answer;
pub mod random;
pub mod rule;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;
use roster_core::{Error, Result};

pub use rule::{Action, ActionKind, Lose, Probe, Rule, RuleSpec};

/// Rules in force at most.
pub const MAX_RULES: usize = 256;

/// The rules in force.
pub struct Faults {
    allowed: AtomicBool,
    /// Whether any rule is in force (read on every request).
    active: AtomicBool,
    rules: Mutex<Vec<Rule>>,
    next_id: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            allowed: AtomicBool::new(true),
            active: AtomicBool::new(false),
            rules: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        }
    }
}

/// A rule as listed: its number, its fields (with the seed it uses), and
/// how often it fired.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: u64,
    pub spec: RuleSpec,
    pub remaining: Option<u64>,
    pub fired: u64,
}

impl Faults {
    /// Whether a rule may fire (the whole cost when none is in force).
    #[inline]
    pub fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Switches fault injection off for good (`--no-faults`).
    pub fn forbid(&self) {
        self.allowed.store(false, Ordering::Relaxed);
        self.clear();
    }

    /// Whether rules may be added.
    pub fn allowed(&self) -> bool {
        self.allowed.load(Ordering::Relaxed)
    }

    fn refused() -> Error {
        Error::Forbidden("Fault injection is switched off on this server (--no-faults, faults = false)".into())
    }

    /// Adds rules (all or none); answers them as listed.
    pub fn add(&self, specs: Vec<RuleSpec>) -> Result<Vec<Listed>> {
        if !self.allowed() {
            return Err(Self::refused());
        }
        let mut rules = self.rules.lock();
        if rules.len() + specs.len() > MAX_RULES {
            return Err(Error::invalid("rules", format!("at most {MAX_RULES} rules may be in force")));
        }
        let mut new = Vec::with_capacity(specs.len());
        for spec in specs {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            new.push(spec.into_rule(id, fresh_seed(id))?);
        }
        let listed = new.iter().map(listed).collect();
        rules.extend(new);
        self.active.store(!rules.is_empty(), Ordering::Relaxed);
        Ok(listed)
    }

    /// Every rule, in the order they are tried.
    pub fn list(&self) -> Vec<Listed> {
        self.rules.lock().iter().map(listed).collect()
    }

    /// Removes rule `id`; whether it was there.
    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.rules.lock();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        self.active.store(!rules.is_empty(), Ordering::Relaxed);
        rules.len() < before
    }

    /// Removes every rule; answers how many there were.
    pub fn clear(&self) -> usize {
        let mut rules = self.rules.lock();
        let n = rules.len();
        rules.clear();
        self.active.store(false, Ordering::Relaxed);
        n
    }

    /// The first rule that fires on `probe`: its number and action.
    pub fn decide(&self, probe: &Probe<'_>) -> Option<(u64, Action)> {
        let mut rules = self.rules.lock();
        rules.iter_mut().find_map(|r| r.fire(probe).map(|a| (r.id, a)))
    }
}

fn listed(r: &Rule) -> Listed {
    Listed { id: r.id, spec: r.spec.clone(), remaining: r.remaining, fired: r.fired }
}

/// A seed for a rule that names none: different per rule and per run.
fn fresh_seed(id: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    random::SplitMix::new(nanos ^ id.rotate_left(32)).next_u64() >> 11
}

/// Reads rules from a file's text: a list of rules, or an object whose
/// `rules` is one; JSON, or the same in YAML.
pub fn parse_rules(text: &str, yaml: bool) -> std::result::Result<Vec<RuleSpec>, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wrapped {
        rules: Vec<RuleSpec>,
    }
    let listed = text.trim_start().starts_with('[') || (yaml && text.lines().any(|l| l.starts_with('-')));
    let read = |listed: bool| -> std::result::Result<Vec<RuleSpec>, String> {
        match (yaml, listed) {
            (true, true) => {
                let options = marked_yaml::LoaderOptions::default().toplevel_sequence();
                marked_yaml::from_yaml_with_options(0, text, options).map_err(|e| e.to_string())
            }
            (true, false) => marked_yaml::from_yaml::<Wrapped>(0, text).map(|w| w.rules).map_err(|e| e.to_string()),
            (false, true) => serde_json::from_str(text).map_err(|e| e.to_string()),
            (false, false) => serde_json::from_str::<Wrapped>(text).map(|w| w.rules).map_err(|e| e.to_string()),
        }
    };
    read(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_files_read_the_same_in_json_and_yaml_listed_or_wrapped() {
        let json = r#"[{"method":"POST","action":"status","status":429,"retryAfter":3,"times":2}]"#;
        let yaml = "rules:\n  - method: POST\n    action: status\n    status: 429\n    retryAfter: 3\n    times: 2\n";
        let list_yaml = "- method: POST\n  action: applyThenLose\n  lose: \"504\"\n";
        let a = parse_rules(json, false).unwrap();
        let b = parse_rules(yaml, true).unwrap();
        assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap());
        assert_eq!(b[0].status, Some(429));
        let c = parse_rules(list_yaml, true).unwrap();
        assert_eq!(c[0].lose, Some(Lose::GatewayTimeout));
        assert!(parse_rules(r#"[{"action":"explode"}]"#, false).is_err());
    }
}
