//! What the golden-body modules (`golden_*`) share: a directory seeded with
//! fixed names and account ids, callers of each kind, and the text a
//! snapshot holds for one request: the request line, the status and the
//! body pretty-printed in the order roster sent its keys, with the values
//! that change from run to run (the server's port, generated UUIDs, keys
//! and times) replaced by fixed markers.

use reqwest::Method;
use roster_core::directory::{Joins, UserInput};
use serde_json::Value;

use crate::helpers::{basic, Api, TestApp};

/// Where the server's own base URL stands in a snapshot.
const BASE: &str = "http://roster.test";

/// The seeded users: username, display name, fixed account id, groups, active.
const USERS: &[(&str, &str, &str, &[&str], bool)] = &[
    ("ada", "Ada Lovelace", "5b10ac8d82e05b22cc7d4ef5", &["confluence-users", "engineers"], true),
    ("grace", "Grace Hopper", "5b10a2844c20165700ede21f", &["confluence-users", "engineers", "reviewers"], true),
    ("ken", "Ken Thompson", "5a0b1c2d3e4f5a6b7c8d9e0f", &["confluence-users"], false),
    ("outsider", "Olive Outsider", "5d53f3cbc6b9320d9ea5bdc2", &["contractors"], true),
    ("boss", "Barbara Boss", "5c7a3f1e2b9d4a0012345678", &["confluence-users", "confluence-administrators"], true),
];

/// A seeded server and a client for each kind of caller.
pub struct Golden {
    pub app: TestApp,
    /// `boss`, a site admin.
    pub admin: Api,
    /// `ada`, a plain user.
    pub plain: Api,
    /// `outsider`, signed in without product access.
    pub outsider: Api,
    pub anon: Api,
    settings: insta::Settings,
}

/// The password of every seeded account.
pub const PASSWORD: &str = "correct horse battery staple";

impl Golden {
    /// A fresh server with the seeded users and groups.
    pub async fn spawn() -> Golden {
        let app = TestApp::spawn().await;
        let mut tokens = Vec::new();
        for (username, name, account, groups, active) in USERS {
            for g in *groups {
                if !app.view().group_name_taken(g) {
                    app.system().create_group(g).await.unwrap();
                }
            }
            let input = UserInput {
                account_id: Some(account.to_string()),
                username: Some(username.to_string()),
                display_name: name.to_string(),
                email: format!("{username}@example.com"),
                password: Some(PASSWORD.into()),
                active: true,
                ..UserInput::default()
            };
            let groups = groups.iter().map(|g| g.to_string()).collect();
            let u = app.system().create_user(&input, Joins::Groups(groups)).await.unwrap();
            let token = app.system().issue_token(u.id, "golden").await.unwrap();
            if !active {
                app.system().set_active(u.id, false, "active").await.unwrap();
            }
            tokens.push(basic(&format!("{username}@example.com"), &token));
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        for (pattern, marker) in VOLATILE {
            settings.add_filter(pattern, *marker);
        }
        Golden {
            admin: app.with_auth(&tokens[4]),
            plain: app.with_auth(&tokens[0]),
            outsider: app.with_auth(&tokens[3]),
            anon: app.anon(),
            app,
            settings,
        }
    }

    /// The snapshot settings (filters for the volatile values); hold the
    /// guard for the test's length.
    pub fn bind(&self) -> insta::internals::SettingsBindDropGuard {
        self.settings.bind_to_scope()
    }

    /// Sends a request and answers the text its snapshot holds.
    pub async fn call(&self, caller: &Api, method: Method, path: &str, body: Option<Value>) -> String {
        let r = caller.send(method.clone(), path, body.as_ref()).await;
        let text = r.text.replace(&self.app.url, BASE);
        let shown = if r.body.is_null() && !text.is_empty() { text } else { pretty(&text) };
        format!("{method} {path}\n{}\n{shown}", r.status.as_u16())
    }

    /// The group's public UUID (for `by-id` paths).
    pub fn uuid(&self, group: &str) -> String {
        self.app.view().group_by_name(group).unwrap().group.uuid.to_string()
    }
}

/// Values that differ between runs, and their markers.
const VOLATILE: &[(&str, &str)] = &[
    (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]"),
    (r"\b1[0-9]{12}\b", "[epoch-ms]"),
    // Token digests in snapshot files, then DC user keys.
    (r"\b[0-9a-f]{64}\b", "[sha256]"),
    (r"\b[0-9a-f]{32}\b", "[user-key]"),
    // Password hashes in snapshot files (random salts).
    (r#""\$argon2[^"]*""#, r#""[argon2-hash]""#),
    // roster's request ids, counted per process, in audit records.
    (r"\brequest r[0-9a-z]+\b", "request [request-id]"),
    (r#""searchDuration": \d+"#, r#""searchDuration": "[duration]""#),
    // DC long tasks: how long the work took.
    (r#""elapsedTime": \d+"#, r#""elapsedTime": "[duration]""#),
    // The request journal: ids counted per process, times and durations.
    (r#""requestId": "r[0-9a-f]+""#, r#""requestId": "[request-id]""#),
    (r#""time": "[0-9T:.Z-]+""#, r#""time": "[time]""#),
    (r#""durationMs": [0-9.e-]+"#, r#""durationMs": "[duration]""#),
    // The store readiness names: a temporary file, or a database when the
    // suite runs on PostgreSQL.
    (r#""store": "[^"]*""#, r#""store": "[store]""#),
    // Extender's dates as strings, in whatever format was asked for.
    (r#""(\w+DateString)": "[^"]*""#, r#""$1": "[date]""#),
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?", "[timestamp]"),
];

/// Snapshots one request's answer under `name`:
/// `golden!(g, "name", caller, GET, path)`, or with a JSON body last.
macro_rules! golden {
    ($g:expr, $name:literal, $caller:expr, $method:ident, $path:expr) => {
        insta::assert_snapshot!($name, $g.call($caller, reqwest::Method::$method, &$path, None).await)
    };
    ($g:expr, $name:literal, $caller:expr, $method:ident, $path:expr, $body:expr) => {
        insta::assert_snapshot!(
            $name,
            $g.call($caller, reqwest::Method::$method, &$path, Some(serde_json::Value::clone(&$body))).await
        )
    };
}
pub(crate) use golden;

/// JSON text indented two spaces a level, keys in the order sent (a
/// `serde_json::Value` would sort them).
pub fn pretty(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn pretty_printing_keeps_key_order_and_string_contents() {
    let text = r#"{"b":1,"a":[],"c":{"z":"x, {y}: \"q\"","y":[1,{}]}}"#;
    let expected = "{\n  \"b\": 1,\n  \"a\": [],\n  \"c\": {\n    \"z\": \"x, {y}: \\\"q\\\"\",\n    \"y\": [\n      1,\n      {}\n    ]\n  }\n}";
    assert_eq!(pretty(text), expected);
    let reparsed: Value = serde_json::from_str(&pretty(text)).unwrap();
    assert_eq!(reparsed, serde_json::from_str::<Value>(text).unwrap());
}
