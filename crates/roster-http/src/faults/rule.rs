//! A fault rule: what it matches, what it does, and when it fires. The
//! same fields in `POST /rest/roster/1.0/faults` and in a `--faults` file
//! (JSON or YAML, a list of rules).

use std::time::Duration;

use axum::http::Method;
use roster_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::random::SplitMix;

/// What a rule does to a request it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    /// Answer `status` with the dialect's error body (and, for 429 and 503, `Retry-After`).
    Status,
    /// Wait `delayMs` (or a time between `delayMs` and `delayMaxMs`), then answer normally.
    Delay,
    /// Close the connection without answering; nothing is done.
    Drop,
    /// Do the request (a write commits), then lose the answer: close the
    /// connection (`lose: drop`, the default) or answer 504 (`lose: "504"`).
    ApplyThenLose,
}

/// How an applied request's answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Lose {
    #[serde(rename = "drop")]
    Drop,
    #[serde(rename = "504")]
    GatewayTimeout,
}

/// A rule as sent (and as listed, with its number and state added).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSpec {
    /// HTTP method, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Route template exactly as the OpenAPI description lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Path pattern: `*` stands for any run of characters (`/wiki/rest/api/group/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `cloud`, `dc` or `extender`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
    /// The login the request's Basic credentials name (username or e-mail, any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// Text the request body contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    pub action: ActionKind,
    /// For `status`: 400 to 599 (Confluence's own: 429, 500, 502, 503, 504).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// For `status` 429 or 503: the `Retry-After` seconds (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For `delay`: milliseconds to wait (the least, with `delayMaxMs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// For `delay`: the most milliseconds to wait; each request draws a time in between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_max_ms: Option<u64>,
    /// For `applyThenLose`: `drop` (default) or `"504"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lose: Option<Lose>,
    /// Fire on the next N matching requests only (default: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Fire on a matching request with this probability (0 < p <= 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of the draws (probability, delay range); the same seed and the
    /// same requests fire the same way. Chosen and shown when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Status { status: u16, retry_after: u64 },
    Delay(Duration),
    Drop,
    ApplyThenLose(Lose),
}

impl Action {
    /// The kind, as the journal and the metrics name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Status { .. } => "status",
            Action::Delay(_) => "delay",
            Action::Drop => "drop",
            Action::ApplyThenLose(_) => "applyThenLose",
        }
    }
}

/// What a rule is tested against.
pub struct Probe<'a> {
    pub method: &'a Method,
    pub route: &'a str,
    pub path: &'a str,
    pub dialect: &'static str,
    /// The login the Basic credentials name, if any.
    pub login: Option<&'a str>,
    pub body: Option<&'a [u8]>,
}

/// A rule in force.
pub struct Rule {
    pub id: u64,
    pub spec: RuleSpec,
    method: Option<Method>,
    pub remaining: Option<u64>,
    pub fired: u64,
    rng: SplitMix,
}

/// Whether `text` fits `pattern`, where `*` is any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl RuleSpec {
    /// Checks the fields; the rule numbered `id`, seeded with `seed` unless it names its own.
    pub fn into_rule(mut self, id: u64, seed: u64) -> Result<Rule> {
        let method = match &self.method {
            None => None,
            Some(m) => Some(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| Error::invalid("method", "must be an HTTP method"))?,
            ),
        };
        match self.action {
            ActionKind::Status => match self.status {
                Some(400..=599) => {}
                _ => return Err(Error::invalid("status", "a status rule needs a status from 400 to 599")),
            },
            ActionKind::Delay => match (self.delay_ms, self.delay_max_ms) {
                (Some(lo), Some(hi)) if hi < lo => {
                    return Err(Error::invalid("delayMaxMs", "must not be less than delayMs"));
                }
                (Some(ms), _) if ms > 600_000 => return Err(Error::invalid("delayMs", "at most 600000 (10 minutes)")),
                (Some(_), hi) if hi.is_some_and(|h| h > 600_000) => {
                    return Err(Error::invalid("delayMaxMs", "at most 600000 (10 minutes)"));
                }
                (Some(_), _) => {}
                (None, _) => return Err(Error::invalid("delayMs", "a delay rule needs delayMs")),
            },
            ActionKind::Drop | ActionKind::ApplyThenLose => {}
        }
        if let Some(p) = self.probability {
            if !(p > 0.0 && p <= 1.0) {
                return Err(Error::invalid("probability", "must be above 0 and at most 1"));
            }
        }
        if let Some(d) = &self.dialect {
            if !["cloud", "dc", "extender", "other"].contains(&d.to_ascii_lowercase().as_str()) {
                return Err(Error::invalid("dialect", "must be cloud, dc, extender or other"));
            }
        }
        let seed = *self.seed.get_or_insert(seed);
        Ok(Rule { id, method, remaining: self.times, fired: 0, rng: SplitMix::new(seed), spec: self })
    }
}

impl Rule {
    fn matches(&self, p: &Probe<'_>) -> bool {
        let s = &self.spec;
        self.method.as_ref().is_none_or(|m| m == p.method)
            && s.route.as_deref().is_none_or(|r| r == p.route)
            && s.path.as_deref().is_none_or(|g| glob(g, p.path))
            && s.dialect.as_deref().is_none_or(|d| d.eq_ignore_ascii_case(p.dialect))
            && s.caller.as_deref().is_none_or(|c| p.login.is_some_and(|l| l.eq_ignore_ascii_case(c)))
            && s.body_contains
                .as_deref()
                .is_none_or(|b| p.body.is_some_and(|body| memchr::memmem::find(body, b.as_bytes()).is_some()))
    }

    /// The action, when the rule fires on `p`. A matching request uses up
    /// one of `times` and one draw of the seeded sequence, fired or not.
    pub fn fire(&mut self, p: &Probe<'_>) -> Option<Action> {
        if self.remaining == Some(0) || !self.matches(p) {
            return None;
        }
        if let Some(prob) = self.spec.probability {
            if self.rng.unit() >= prob {
                return None;
            }
        }
        if let Some(n) = &mut self.remaining {
            *n -= 1;
        }
        self.fired += 1;
        let s = &self.spec;
        Some(match s.action {
            ActionKind::Status => {
                Action::Status { status: s.status.unwrap_or(503), retry_after: s.retry_after.unwrap_or(1) }
            }
            ActionKind::Delay => {
                let lo = s.delay_ms.unwrap_or(0);
                let hi = s.delay_max_ms.unwrap_or(lo);
                Action::Delay(Duration::from_millis(lo + self.rng.below(hi - lo + 1)))
            }
            ActionKind::Drop => Action::Drop,
            ActionKind::ApplyThenLose => Action::ApplyThenLose(s.lose.unwrap_or(Lose::Drop)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_of_any_characters() {
        assert!(glob("/wiki/rest/api/group/*", "/wiki/rest/api/group/member"));
        assert!(glob("*/member", "/wiki/rest/api/group/member"));
        assert!(glob("/a/*/c", "/a/b/b/c"));
        assert!(glob("/exact", "/exact"));
        assert!(!glob("/exact", "/exact/more"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(!glob("/ab*ba", "/aba"));
    }

    fn spec(json: &str) -> RuleSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn nonsense_rules_are_refused_with_the_field_named() {
        for (json, field) in [
            (r#"{"action":"status"}"#, "status"),
            (r#"{"action":"status","status":200}"#, "status"),
            (r#"{"action":"delay"}"#, "delayMs"),
            (r#"{"action":"delay","delayMs":50,"delayMaxMs":10}"#, "delayMaxMs"),
            (r#"{"action":"drop","probability":0}"#, "probability"),
            (r#"{"action":"drop","dialect":"soap"}"#, "dialect"),
            (r#"{"action":"drop","method":"GE T"}"#, "method"),
        ] {
            let err = spec(json).into_rule(1, 1).err().unwrap_or_else(|| panic!("{json} was accepted"));
            assert!(format!("{err:?}").contains(field), "{json}: {err:?}");
        }
    }

    #[test]
    fn a_seeded_rule_fires_on_the_same_requests_every_time() {
        let probe = Probe { method: &Method::GET, route: "/r", path: "/r", dialect: "cloud", login: None, body: None };
        let run = || {
            let mut r = spec(r#"{"action":"drop","probability":0.5,"seed":7}"#).into_rule(1, 0).unwrap();
            (0..64).map(|_| r.fire(&probe).is_some()).collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let fired = first.iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired} of 64");
    }
}
