//! The clone's HTTP client: GETs JSON from the site, retrying what a busy
//! site answers (429 and 503 after their `Retry-After` seconds; 502, 504,
//! timeouts and dropped connections after a growing pause) a bounded
//! number of times, and turning everything else into an error that says
//! what to check.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;

use super::progress::Progress;

/// The longest `Retry-After` honoured as asked; a longer one waits this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// The first pause when the site gave no `Retry-After`; doubled each time.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const MAX_PAUSE: Duration = Duration::from_secs(20);
/// Attempts to connect at all: a site that cannot be reached is reported
/// soon, not after minutes of backing off.
const CONNECT_ATTEMPTS: u32 = 3;

/// Why a GET failed, for a person to act on.
#[derive(Debug)]
pub enum FetchError {
    /// The site answered with an error status (after retries, for those retried).
    Status { url: String, status: u16, message: String, attempts: u32 },
    /// No answer: the site could not be reached, or dropped every attempt.
    Transport { url: String, error: String, attempts: u32 },
    /// An answer that is not the JSON a Confluence API gives.
    NotJson { url: String, status: u16, content_type: String },
}

impl FetchError {
    /// The HTTP status the site answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Status { url, status: 401, .. } => write!(
                f,
                "{url} answered 401: the site did not accept the credentials (Cloud: --user is your account's \
                 e-mail address and the token an API token; Data Center: a username and its password, or a \
                 personal access token without --user)"
            ),
            FetchError::Status { url, status: 403, message, .. } => {
                write!(f, "{url} answered 403{}: the account may not read this; clone as a site admin", detail(message))
            }
            FetchError::Status { url, status: 404, .. } => write!(
                f,
                "{url} answered 404: no such API there; is --from the site's base address, and --flavor right?"
            ),
            FetchError::Status { url, status, message, attempts } if *attempts > 1 => {
                write!(f, "{url} still answered {status} after {attempts} attempts{}", detail(message))
            }
            FetchError::Status { url, status, message, .. } => write!(f, "{url} answered {status}{}", detail(message)),
            FetchError::Transport { url, error, attempts } => {
                write!(f, "cannot read {url}: {error} ({attempts} attempt(s))")
            }
            FetchError::NotJson { url, status, content_type } => write!(
                f,
                "{url} answered {status} with {content_type}, not JSON: is --from the address of a Confluence site?"
            ),
        }
    }
}

impl std::error::Error for FetchError {}

fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" ({message})")
    }
}

/// A client for one site with one set of credentials.
pub struct Client<'a> {
    http: reqwest::Client,
    root: String,
    user: Option<String>,
    secret: String,
    max_attempts: u32,
    progress: &'a Progress<'a>,
}

impl<'a> Client<'a> {
    pub fn new(
        root: &str,
        user: Option<&str>,
        secret: &str,
        max_attempts: u32,
        progress: &'a Progress<'a>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("roster-clone/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Client {
            http,
            root: root.to_string(),
            user: user.map(str::to_string),
            secret: secret.to_string(),
            max_attempts,
            progress,
        })
    }

    /// The full URL of `path` (which starts with `/`) on this site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    /// GETs `path` and parses its JSON, retrying what may pass.
    pub async fn get_json(&self, path: &str) -> Result<Value, FetchError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self.http.get(&url).header(ACCEPT, "application/json");
            req = match &self.user {
                Some(u) => req.basic_auth(u, Some(&self.secret)),
                None => req.bearer_auth(&self.secret),
            };
            let failure = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let retried = matches!(status, 429 | 502 | 503 | 504);
                    match resp.bytes().await {
                        Ok(body) if !retried || attempt >= self.max_attempts => {
                            return answer(&url, status, &headers, &body, attempt);
                        }
                        Ok(_) => {
                            let wait = retry_after(&headers).unwrap_or_else(|| pause(attempt));
                            self.progress.retry(path, &format!("answered {status}"), wait, attempt, self.max_attempts);
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        Err(e) => e,
                    }
                }
                Err(e) => e,
            };
            let limit = if failure.is_connect() { self.max_attempts.min(CONNECT_ATTEMPTS) } else { self.max_attempts };
            let error = chain(&failure);
            if attempt >= limit {
                return Err(FetchError::Transport { url, error, attempts: attempt });
            }
            let wait = pause(attempt);
            self.progress.retry(path, &error, wait, attempt, limit);
            tokio::time::sleep(wait).await;
        }
    }
}

/// The final answer to a GET: its JSON, or why not.
fn answer(url: &str, status: u16, headers: &HeaderMap, body: &[u8], attempts: u32) -> Result<Value, FetchError> {
    let parsed = serde_json::from_slice::<Value>(body);
    if !(200..300).contains(&status) {
        let message = parsed
            .as_ref()
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str))
            .map(|m| m.chars().take(200).collect())
            .unwrap_or_default();
        return Err(FetchError::Status { url: url.to_string(), status, message, attempts });
    }
    parsed.map_err(|_| FetchError::NotJson {
        url: url.to_string(),
        status,
        content_type: headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map_or("no content type".to_string(), |c| c.split(';').next().unwrap_or(c).to_string()),
    })
}

/// `Retry-After` in seconds (Confluence sends seconds), at most [`MAX_RETRY_AFTER`].
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// The pause before attempt `attempt + 1` when the site named none:
/// doubling from [`FIRST_PAUSE`], with up to a quarter more at random so
/// that parallel requests do not come back together.
fn pause(attempt: u32) -> Duration {
    let base = FIRST_PAUSE.saturating_mul(1 << attempt.saturating_sub(1).min(10)).min(MAX_PAUSE);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// An error with its causes, which reqwest keeps apart ("error sending
/// request" says little without "connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    text
}

/// Percent-encodes a path segment or query value (everything but the
/// unreserved characters, so `/` in a group name stays inside its segment).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
