//! Secret hygiene: after a scenario that creates a password user, issues
//! tokens, signs in every way (and fails to), none of the passwords or
//! tokens, nor their Basic-header encodings, appears in the database file,
//! its WAL, or the server's log (debug level), and neither does a password
//! typed into the login field. Uses the real binary, killed
//! with SIGKILL so the WAL is left as a crash would leave it.

// Shared with hardening_signin.rs (a file may be a module only once).
#[path = "../support/process.rs"]
pub(crate) mod process;

use base64::Engine;

const PASSWORD: &str = "Pw-correct-horse-7f3a9c";
const WRONG: &str = "Pw-wrong-guess-19be22";
/// A password typed into the login field: refused, and never stored.
const TYPED_AS_LOGIN: &str = "Pw-typed-into-login-3c81d0";
const ADMIN_SECRET: &str = "rst_secrets-admin-token-55e1d0c2b7a94f";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn no_password_or_token_is_stored_or_logged_in_the_clear() {
    let tmp = tempfile::TempDir::new().unwrap();
    let db = tmp.path().join("roster.db");
    let log = tmp.path().join("roster.log");
    let user = ["user", "create", "--display-name", "Sec Ret", "--email", "sec@example.com", "--username", "sec"];
    crate::helpers::new_store(db.to_str().unwrap()).await;
    process::run_cli(&db, &["group", "create", "confluence-users"], &[]).await;
    process::run_cli(&db, &user, &[("ROSTER_PASSWORD", PASSWORD)]).await;
    let token1 = process::run_cli(&db, &["token", "create", "sec@example.com"], &[]).await.trim().to_string();
    assert!(token1.starts_with("rst_"));
    let envs = [("ROSTER_ADMIN_TOKEN", ADMIN_SECRET), ("ROSTER_LOG", "roster=trace,debug")];
    let token2 = process::run_cli(&db, &["token", "create", "sec"], &[]).await.trim().to_string();
    let server = process::spawn(&db, &envs, &log).await;

    let http = reqwest::Client::new();
    let get = |auth: String| {
        let req = http.get(format!("{}/wiki/rest/api/user/current", server.url)).header("Authorization", auth);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let basic = |l: &str, s: &str| format!("Basic {}", b64(&format!("{l}:{s}")));
    assert_eq!(get(basic("sec", PASSWORD)).await, 200);
    assert_eq!(get(basic("sec@example.com", PASSWORD)).await, 200);
    assert_eq!(get(basic("sec@example.com", &token1)).await, 200);
    assert_eq!(get(format!("Bearer {token2}")).await, 200);
    assert_eq!(get(format!("Bearer {ADMIN_SECRET}")).await, 200);
    assert_eq!(get(basic("sec", WRONG)).await, 401);
    assert_eq!(get(format!("Bearer {WRONG}")).await, 401);
    assert_eq!(get(basic("nobody", WRONG)).await, 401);
    assert_eq!(get(basic(TYPED_AS_LOGIN, WRONG)).await, 401);
    let r = http
        .post(format!("{}/wiki/rest/api/group", server.url))
        .bearer_auth(ADMIN_SECRET)
        .json(&serde_json::json!({"name": "secret-scenario"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // Wait for the sign-in recorder's flush (store first, then model: once
    // the API shows both times, the store holds them), then crash.
    let details = format!("{}/rest/extender/1.0/user/getUserDetails/sec", server.url);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let r = http.get(&details).bearer_auth(ADMIN_SECRET).send().await.unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        if body["lastSuccessfulLoginDate"].is_i64() && body["lastFailedLoginDate"].is_i64() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "sign-in times never flushed: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.kill().await;

    let mut needles: Vec<String> =
        vec![PASSWORD.into(), WRONG.into(), TYPED_AS_LOGIN.into(), ADMIN_SECRET.into(), token1.clone(), token2];
    for (l, s) in [("sec", PASSWORD), ("sec@example.com", PASSWORD), ("sec@example.com", token1.as_str())] {
        needles.push(b64(&format!("{l}:{s}")));
    }
    let mut scanned = 0;
    for name in ["roster.db", "roster.db-wal", "roster.db-shm", "roster.log"] {
        let path = tmp.path().join(name);
        let Ok(bytes) = std::fs::read(&path) else { continue };
        scanned += bytes.len();
        for n in &needles {
            let found = bytes.windows(n.len()).any(|w| w == n.as_bytes());
            assert!(!found, "{name} contains the secret {n}");
        }
    }
    let all: Vec<u8> = ["roster.db", "roster.db-wal", "roster.log"]
        .iter()
        .flat_map(|n| std::fs::read(tmp.path().join(n)).unwrap_or_default())
        .collect();
    let has = |s: &str| all.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("sec@example.com") && has("$argon2id$") && has("secret-scenario"), "the scan saw real data");
    assert!(has("listening on"), "the log was captured");
    assert!(scanned > 10_000, "scanned {scanned} bytes");
}
