//! What every request passes through before and after its handler: the
//! guard (one per connection) with its route table, the direct GET path,
//! the rate limit, input hygiene, the XSRF rule and the metrics.

pub mod direct;
pub mod guard;
pub mod hygiene;
pub mod observe;
pub mod ratelimit;
pub mod routes;
pub mod telemetry;
pub mod xsrf;
