//! `TestApp`: a roster server on an ephemeral loopback port over a fresh
//! SQLite file, with typed callers (anonymous, plain user, admin). With
//! `ROSTER_TEST_POSTGRES=1` every fresh store is instead a new database in a
//! throwaway PostgreSQL cluster (see roster-testpg).

#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine;
use reqwest::{Method, StatusCode};
use roster::app::{self, ServeOptions};
use roster_core::directory::{Reader, UserInput, UserKey};
use roster_core::{Actor, Directory, Policy};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The admin token every test server registers for `admin@example.com`.
pub const ADMIN_TOKEN: &str = "rst_test-admin-token-0123456789abcdefghijklmnop";

/// A running server and its store.
pub struct TestApp {
    pub url: String,
    pub dir: Arc<Directory>,
    pub tmp: TempDir,
    pub db: String,
    shutdown: Option<oneshot::Sender<()>>,
    http: reqwest::Client,
}

/// A response: status, headers and the body parsed as JSON (Null if empty).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

/// An HTTP client bound to one server and one set of credentials.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    url: String,
    auth: Option<String>,
}

pub fn basic(login: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{login}:{secret}")))
}

impl TestApp {
    /// A server with the default policy.
    pub async fn spawn() -> Self {
        Self::spawn_with(Policy::default()).await
    }

    /// A server with `policy`.
    pub async fn spawn_with(policy: Policy) -> Self {
        let tmp = TempDir::new().unwrap();
        let db = fresh_db(&tmp, "roster.db").await;
        Self::spawn_on(tmp, db, policy).await
    }

    /// A server over an existing store file (for restart tests).
    pub async fn spawn_on(tmp: TempDir, db: String, policy: Policy) -> Self {
        Self::spawn_testing_on(tmp, db, policy, Default::default()).await
    }

    /// A server with the journal and fault options `testing`.
    pub async fn spawn_testing(testing: roster::testing::TestingOptions) -> Self {
        let tmp = TempDir::new().unwrap();
        let db = fresh_db(&tmp, "roster.db").await;
        Self::spawn_testing_on(tmp, db, Policy::default(), testing).await
    }

    /// A server over an existing store file with the journal and fault options `testing`.
    pub async fn spawn_testing_on(
        tmp: TempDir,
        db: String,
        policy: Policy,
        testing: roster::testing::TestingOptions,
    ) -> Self {
        let (tx, rx) = oneshot::channel::<()>();
        let opts = ServeOptions {
            db: db.clone(),
            listen: "127.0.0.1:0".into(),
            public_url: None,
            policy,
            admin_token: Some(ADMIN_TOKEN.into()),
            rate_limit: None,
            seeded: false,
            testing,
        };
        let running = app::start(&opts, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
        TestApp { url: running.url, dir: running.dir, tmp, db, shutdown: Some(tx), http: reqwest::Client::new() }
    }

    /// Stops the server and returns its temp dir and store path.
    pub async fn stop(mut self) -> (TempDir, String) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let tmp = std::mem::replace(&mut self.tmp, TempDir::new().unwrap());
        (tmp, self.db.clone())
    }

    pub fn anon(&self) -> Api {
        Api { http: self.http.clone(), url: self.url.clone(), auth: None }
    }

    pub fn admin(&self) -> Api {
        self.with_auth(&basic("admin@example.com", ADMIN_TOKEN))
    }

    pub fn with_auth(&self, header: &str) -> Api {
        Api { http: self.http.clone(), url: self.url.clone(), auth: Some(header.to_string()) }
    }

    /// Creates a user in `groups` and returns (accountId, a client for it).
    pub async fn user(&self, name: &str, groups: &[&str]) -> (String, Api) {
        for g in groups {
            if !self.view().group_name_taken(g) {
                self.system().create_group(g).await.unwrap();
            }
        }
        let input = UserInput {
            display_name: format!("{name} Tester"),
            email: format!("{name}@example.com"),
            username: Some(name.to_lowercase()),
            active: true,
            ..UserInput::default()
        };
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let u =
            self.system().create_user(&input, roster_core::directory::Joins::Groups(groups.to_vec())).await.unwrap();
        let token = self.system().issue_token(u.id, "test").await.unwrap();
        (u.account_id.to_string(), self.with_auth(&basic(&format!("{name}@example.com"), &token)))
    }

    /// A plain user with product access.
    pub async fn plain_user(&self, name: &str) -> (String, Api) {
        self.user(name, &["confluence-users"]).await
    }

    /// Creates `n` users named `{prefix} {i}` in one commit and returns
    /// their account ids, in creation order.
    pub async fn users(&self, prefix: &str, n: usize) -> Vec<String> {
        let inputs: Vec<UserInput> = (0..n)
            .map(|i| UserInput {
                display_name: format!("{prefix} {i:04}"),
                email: format!("{}{i}@example.com", prefix.to_lowercase().replace(' ', "")),
                active: true,
                ..UserInput::default()
            })
            .collect();
        let users = self.system().create_users(&inputs).await.unwrap();
        users.into_iter().map(|u| u.account_id.to_string()).collect()
    }

    /// Adds the given accounts to group `name` in one commit.
    pub async fn add_members(&self, name: &str, accounts: &[String]) {
        let outcome = self.system().change_members(name, accounts.to_vec(), UserKey::AccountId, true).await.unwrap();
        assert!(outcome.skipped.is_empty(), "not added: {:?}", outcome.skipped);
    }

    /// The directory as the system reads it.
    pub fn view(&self) -> Reader<'_> {
        self.dir.reader(&Actor::System).unwrap()
    }

    /// The directory's write door, as the system.
    pub fn system(&self) -> roster_core::directory::Admin<'_> {
        self.dir.admin(&Actor::System).unwrap()
    }

    /// Member count of group `name`, read from the model.
    pub fn member_count(&self, name: &str) -> usize {
        self.view().group_by_name(name).map(|g| g.members.len()).unwrap_or(0)
    }

    /// Creates a group directly (as the system).
    pub async fn group(&self, name: &str) -> String {
        self.system().create_group(name).await.unwrap().uuid.to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Api {
    /// The Authorization header this client sends, if any.
    pub fn auth_header(&self) -> Option<&str> {
        self.auth.as_deref()
    }

    /// The same client and credentials, aimed at another server's `url`.
    pub fn at(&self, url: &str) -> Api {
        Api { http: self.http.clone(), url: url.to_string(), auth: self.auth.clone() }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.url, path));
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b.to_string());
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) };
        Resp { status, headers, body, text }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Option<Value>) -> Resp {
        self.send(Method::PUT, path, body.as_ref()).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    /// A request with raw headers and body, for wire-level cases.
    pub async fn raw(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.url, path)).body(body);
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }
}

/// A fresh, empty store: the file `name` in `tmp`, or, when the suite runs
/// against PostgreSQL (`ROSTER_TEST_POSTGRES=1`), a new database's URL.
pub async fn fresh_db(tmp: &TempDir, name: &str) -> String {
    if roster_testpg::requested() {
        let cluster = roster_testpg::cluster("the HTTP suite on PostgreSQL")
            .expect("ROSTER_TEST_POSTGRES is set but PostgreSQL (initdb, pg_ctl) was not found");
        return cluster.create_database().await;
    }
    tmp.path().join(name).to_string_lossy().into_owned()
}

/// Creates an empty store at `db` (what `roster serve` or `roster import`
/// leave behind), for tests that then run commands which refuse to create one.
pub async fn new_store(db: &str) {
    roster::app::open_store(db).unwrap().close().await;
}

/// Percent-encodes a value for a query string or path segment.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Asserts the Confluence error shape and status.
pub fn assert_error(r: &Resp, status: u16) {
    assert_eq!(r.status.as_u16(), status, "body: {}", r.text);
    assert_eq!(r.body["statusCode"], status, "body: {}", r.text);
    assert!(r.body["message"].is_string(), "body: {}", r.text);
    assert!(r.body["reason"].is_string(), "body: {}", r.text);
    for k in ["authorized", "valid", "successful"] {
        assert!(r.body["data"][k].is_boolean(), "data.{k} in {}", r.text);
    }
    assert!(r.body["data"]["errors"].is_array(), "body: {}", r.text);
}

/// Asserts Cloud REST v2's error envelope and status:
/// `{"errors":[{"status","code","title","detail"}]}`.
pub fn assert_v2_error(r: &Resp, status: u16) {
    assert_eq!(r.status.as_u16(), status, "body: {}", r.text);
    let errors = r.body["errors"].as_array().unwrap_or_else(|| panic!("no errors array: {}", r.text));
    assert_eq!(errors.len(), 1, "body: {}", r.text);
    let e = &errors[0];
    assert_eq!(e["status"], status, "body: {}", r.text);
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "body: {}", r.text);
    assert!(e["title"].as_str().is_some_and(|t| !t.is_empty()), "body: {}", r.text);
    assert!(e["detail"].is_null(), "body: {}", r.text);
    assert_eq!(e.as_object().map(|o| o.len()), Some(4), "body: {}", r.text);
}
