//! Per-caller rate limits: a budget of `limit` requests per `interval`
//! seconds, refilled continuously (GCRA, governor's keyed limiters;
//! configured with `roster serve --rate-limit LIMIT/SECONDS`; off by
//! default).
//!
//! Who pays is who the request proved to be, never who it claims to be:
//! a request that signs in is charged to the account it signed in as (its
//! internal id, so a user's password, API tokens and Bearer tokens share one
//! budget), after the sign-in succeeds (`auth.rs`); every other request (no
//! credentials, a failed sign-in, or a route that never looks at them) is
//! charged to its source address (an IPv6 source by its /64, which one host
//! usually has whole). So naming someone else's login with a wrong secret
//! spends the sender's budget, not the victim's, and inventing a new Bearer
//! token per request does not make a new budget.
//!
//! Accounts and sources have separate tables of at most `max_keys` keys
//! each (see `capped.rs`): a flood of new sources cannot take an account's
//! budget, and neither table grows past its cap. A background task forgets
//! keys whose budget is full again, every second; nothing is swept on the
//! request path, which costs one keyed check (a hash, a shard read lock, a
//! compare-and-swap) while a limit is set and nothing otherwise.
//!
//! While enabled, every response carries Confluence Data Center's headers
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
//! `X-RateLimit-Interval-Seconds` and `X-RateLimit-FillRate`; a refused
//! request gets 429 in the JSON error shape with an integer `Retry-After`.

mod capped;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use governor::clock::Clock;
use governor::middleware::{NoOpMiddleware, StateInformationMiddleware};
use governor::{Quota, RateLimiter};
use roster_core::context;
pub use roster_core::context::Charge;
use roster_core::UserId;

use crate::wire::error::error_body;
use capped::Capped;

/// How often keys whose budget is full again are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// A budget: `limit` requests per `interval_secs`, for at most `max_keys`
/// accounts and as many sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub interval_secs: u32,
    /// Keys each table holds at most (`--rate-limit-keys`).
    pub max_keys: u32,
}

impl RateLimit {
    /// Keys per table unless configured: 100,000 sources take a few MB.
    pub const DEFAULT_MAX_KEYS: u32 = 100_000;

    /// `limit` requests per `interval_secs`, with the default key cap.
    pub fn new(limit: u32, interval_secs: u32) -> Self {
        RateLimit { limit, interval_secs, max_keys: Self::DEFAULT_MAX_KEYS }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `LIMIT/SECONDS` (e.g. `600/60`) or `LIMIT` (per 60 s).
    fn from_str(s: &str) -> Result<Self, String> {
        let (l, i) = s.trim().split_once('/').unwrap_or((s.trim(), "60"));
        let limit: u32 = l.trim().parse().map_err(|_| format!("rate limit {s:?}: LIMIT must be a positive integer"))?;
        let interval_secs: u32 =
            i.trim().parse().map_err(|_| format!("rate limit {s:?}: SECONDS must be a positive integer"))?;
        if limit == 0 || interval_secs == 0 {
            return Err(format!("rate limit {s:?}: LIMIT and SECONDS must be positive"));
        }
        Ok(RateLimit::new(limit, interval_secs))
    }
}

/// Who a request is charged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer {
    /// The account the request signed in as.
    User(UserId),
    /// The connection's peer address.
    Source(Option<IpAddr>),
}

/// Whether the handlers of route `template` never read credentials
/// (operations, the OpenAPI description, the console, paths no route
/// matches): a request for one pays by source before it is answered,
/// credentials or not. A route missing here still pays by source when its
/// handler never signs in, only after it is answered (see `guard.rs`).
pub fn never_signs_in(template: &str) -> bool {
    matches!(template, "unmatched" | "/healthz" | "/readyz" | "/metrics" | crate::operations::openapi::PATH)
        || template.starts_with("/console")
}

/// The limiter's clock: the monotonic one, and in unit tests one they move
/// by hand (so a refill needs no sleep).
#[cfg(not(test))]
type LimitClock = governor::clock::MonotonicClock;
#[cfg(test)]
type LimitClock = governor::clock::FakeRelativeClock;

type Keyed<K> = RateLimiter<K, Capped<K>, LimitClock, StateInformationMiddleware>;

/// The budgets of all callers.
pub struct Limiter {
    cfg: RateLimit,
    users: Keyed<UserId>,
    sources: Keyed<u128>,
    clock: LimitClock,
}

/// A table of at most `cap` keys whose checks report the budget left.
fn keyed<K: std::hash::Hash + Eq + Clone>(quota: Quota, cap: usize, clock: &LimitClock) -> Keyed<K> {
    let plain: RateLimiter<K, Capped<K>, LimitClock, NoOpMiddleware<_>> =
        RateLimiter::new(quota, Capped::new(cap), clock.clone());
    plain.with_middleware()
}

/// A source's key: an IPv4 address whole (as its IPv6-mapped form), an IPv6
/// address by its /64.
fn source_key(source: Option<IpAddr>) -> u128 {
    match source {
        None => 0,
        Some(IpAddr::V4(a)) => u128::from(a.to_ipv6_mapped()),
        Some(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => u128::from(v4.to_ipv6_mapped()),
            None => u128::from(a) & !u128::from(u64::MAX),
        },
    }
}

impl Limiter {
    /// A limiter with budget `cfg`. Without a background sweep its tables
    /// fill up to their caps and stay full (see [`Limiter::shared`]).
    pub fn new(cfg: RateLimit) -> Self {
        let per_cell = Duration::from_secs(cfg.interval_secs.max(1).into()) / cfg.limit.max(1);
        let quota = Quota::with_period(per_cell.max(Duration::from_nanos(1)))
            .expect("a positive period")
            .allow_burst(NonZeroU32::new(cfg.limit).unwrap_or(NonZeroU32::MIN));
        let cap = cfg.max_keys.max(1) as usize;
        let clock = LimitClock::default();
        Limiter { cfg, users: keyed(quota, cap, &clock), sources: keyed(quota, cap, &clock), clock }
    }

    /// A limiter with budget `cfg` whose tables are swept every second by a
    /// task on the current tokio runtime (none outside one), which ends
    /// when the limiter is dropped.
    pub fn shared(cfg: RateLimit) -> Arc<Self> {
        let limiter = Arc::new(Limiter::new(cfg));
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let weak: Weak<Limiter> = Arc::downgrade(&limiter);
            rt.spawn(async move {
                let mut tick = tokio::time::interval(SWEEP_EVERY);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    tick.tick().await;
                    let Some(limiter) = weak.upgrade() else { break };
                    limiter.sweep();
                }
            });
        }
        limiter
    }

    /// The configured budget.
    pub fn config(&self) -> RateLimit {
        self.cfg
    }

    /// Takes one request from `payer`'s budget.
    pub fn charge(&self, payer: Payer) -> Charge {
        let outcome = match payer {
            Payer::User(user) => self.users.check_key(&user),
            Payer::Source(source) => self.sources.check_key(&source_key(source)),
        };
        match outcome {
            Ok(state) => Charge { allowed: true, remaining: state.remaining_burst_capacity(), retry_after: 0 },
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Charge { allowed: false, remaining: 0, retry_after: secs.max(1) }
            }
        }
    }

    /// Charges the request being served, once: to `user` when its sign-in
    /// succeeded, to its source when it failed (`None`). The refused charge
    /// when the budget is spent (see [`Limiter::refusal`]). Outside a
    /// request, charges nothing.
    pub fn charge_sign_in(&self, user: Option<UserId>) -> Result<(), Charge> {
        let charge =
            context::with_current(|c| c.charge_once(|| self.charge(user.map_or(Payer::Source(c.source), Payer::User))));
        match charge {
            Some(c) if !c.allowed => Err(c),
            _ => Ok(()),
        }
    }

    /// Forgets the keys whose budget is full again (they are
    /// indistinguishable from keys never seen).
    pub fn sweep(&self) {
        sweep(&self.users);
        sweep(&self.sources);
    }

    /// Keys held: (accounts, sources).
    pub fn keys(&self) -> (usize, usize) {
        (self.users.len(), self.sources.len())
    }
}

/// Sweeps one table; gives memory back when the sweep halved it.
fn sweep<K: std::hash::Hash + Eq + Clone>(table: &Keyed<K>) {
    let before = table.len();
    table.retain_recent();
    if table.len() * 2 < before {
        table.shrink_to_fit();
    }
}

fn set(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(name, HeaderValue::from(value));
}

impl Limiter {
    /// The 429 answer for a refused request.
    pub fn refusal(&self, c: &Charge) -> Response {
        let cfg = self.cfg;
        let mut r = error_body(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Rate limit exceeded: {} requests per {} s; retry after {} s",
                cfg.limit, cfg.interval_secs, c.retry_after
            ),
        );
        set(r.headers_mut(), "retry-after", c.retry_after);
        r
    }

    /// The `X-RateLimit-*` headers every response carries while a limit is set.
    pub fn annotate(&self, h: &mut HeaderMap, c: &Charge) {
        let cfg = self.cfg;
        set(h, "x-ratelimit-limit", cfg.limit.into());
        set(h, "x-ratelimit-remaining", c.remaining.into());
        set(h, "x-ratelimit-interval-seconds", cfg.interval_secs.into());
        set(h, "x-ratelimit-fillrate", cfg.limit.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_and_nonsense_is_refused() {
        assert_eq!("600/60".parse::<RateLimit>().unwrap(), RateLimit::new(600, 60));
        assert_eq!("100".parse::<RateLimit>().unwrap(), RateLimit::new(100, 60));
        for bad in ["", "0/1", "1/0", "x/60", "-5"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_budget_empties_then_refuses_with_a_retry_time() {
        let l = Limiter::new(RateLimit::new(3, 30));
        let me = Payer::User(UserId(7));
        let remaining: Vec<u32> = (0..3).map(|_| l.charge(me).remaining).collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let c = l.charge(me);
        assert!(!c.allowed);
        assert_eq!(c.retry_after, 10);
        assert!(l.charge(Payer::User(UserId(8))).allowed);
    }

    #[test]
    fn an_account_and_a_source_never_share_a_budget() {
        let l = Limiter::new(RateLimit::new(1, 60));
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        assert!(l.charge(Payer::Source(here)).allowed);
        assert!(!l.charge(Payer::Source(here)).allowed);
        // User 1 and the IPv4-mapped source key 1 are different tables.
        assert!(l.charge(Payer::User(UserId(1))).allowed);
        assert!(l.charge(Payer::Source(Some(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])))).allowed);
    }

    #[test]
    fn only_routes_that_never_sign_in_are_charged_up_front_despite_credentials() {
        for t in ["unmatched", "/healthz", "/readyz", "/metrics", crate::operations::openapi::PATH, "/console/{file}"] {
            assert!(never_signs_in(t), "{t}");
        }
        for t in ["/wiki/rest/api/group", "/wiki/rest/api/user/memberof", "/rest/api/user"] {
            assert!(!never_signs_in(t), "{t}");
        }
    }

    #[test]
    fn ipv6_sources_share_their_slash_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(source_key(Some(a)), source_key(Some(b)));
        assert_ne!(source_key(Some(a)), source_key(Some(c)));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(source_key(Some(v4)), source_key(Some(mapped)));
        assert_ne!(source_key(Some(v4)), source_key(Some("192.0.2.8".parse().unwrap())));
    }

    #[test]
    fn a_full_table_holds_no_more_keys_and_keeps_the_budgets_it_holds() {
        let l = Limiter::new(RateLimit { limit: 2, interval_secs: 3600, max_keys: 100 });
        let held = Payer::User(UserId(0));
        assert!(l.charge(held).allowed);
        for n in 1..10_000 {
            l.charge(Payer::User(UserId(n)));
        }
        assert_eq!(l.keys().0, 100);
        // Newcomers share one overflow budget, long spent by now...
        assert!(!l.charge(Payer::User(UserId(50_000))).allowed);
        // ...while a key the table holds keeps its own.
        let c = l.charge(held);
        assert!(c.allowed && c.remaining == 0, "{c:?}");
        assert!(!l.charge(held).allowed);
    }

    #[test]
    fn a_sweep_forgets_full_budgets_only() {
        let l = Limiter::new(RateLimit { limit: 1000, interval_secs: 1, max_keys: 10 });
        let slow = Limiter::new(RateLimit { limit: 1, interval_secs: 3600, max_keys: 10 });
        for n in 0..10 {
            l.charge(Payer::User(UserId(n)));
            slow.charge(Payer::User(UserId(n)));
        }
        l.clock.advance(Duration::from_millis(5));
        slow.clock.advance(Duration::from_millis(5));
        l.sweep();
        slow.sweep();
        // 1 ms per request: refilled and forgotten; 1 h per request: kept.
        assert_eq!((l.keys().0, slow.keys().0), (0, 10));
        assert!(!slow.charge(Payer::User(UserId(3))).allowed);
    }
}
