//! Bounded work per search (issue 17): a user search over the CQL limits is
//! a 400 naming the limit before any work is done for it (as is an Extender
//! `dateFormat` over its limit), and while the
//! broadest searches the limits allow run on several connections (with the
//! refused giant among them), another caller's `/healthz` and `memberof`
//! keep their latency. Before the fix, the 20,000-word query scanned every
//! user for every word on a runtime worker (5.97 s on 100,000 users) and
//! every other request waited behind it.

use std::time::{Duration, Instant};

use roster_core::directory::UserInput;

use crate::helpers::{assert_error, enc, TestApp, ADMIN_TOKEN};

const API: &str = "/wiki/rest/api";

/// The finding's query: `user.fullname ~ "a a a …"`, 20,000 words, a
/// 40 KB URL (spaces as `+`, so it stays under the URI's 64 KiB).
fn giant() -> String {
    format!("{API}/search/user?cql=user.fullname~%22{}%22", vec!["a"; 20_000].join("+"))
}

/// The most words the limits allow: 20 clauses, every word a single
/// character (each starts thousands of name words), under 1,000 characters.
fn broadest() -> String {
    let value = "a 1 2 3 4 5 6 7 8 9";
    let clause = format!("user.fullname ~ \"{value}\"");
    let cql = vec![clause; 19].join(" and ") + " and type = user";
    assert!(cql.chars().count() <= 1000, "{}", cql.len());
    format!("{API}/search/user?cql={}&limit=200", enc(&cql))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_over_the_cql_limits_are_refused_naming_the_limit() {
    let app = TestApp::spawn().await;
    let (_, reader) = app.plain_user("reader").await;
    let r = reader.get(&giant()).await;
    assert_error(&r, 400);
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("'cql'") && msg.contains("the limit is 1000 characters"), "{msg}");

    let words = format!("user.fullname ~ \"{}\"", ["w"; 11].join(" "));
    let r = reader.get(&format!("{API}/search/user?cql={}", enc(&words))).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("the limit is 10 words"), "{}", r.text);

    let clauses = ["type = user"; 21].join(" and ");
    let r = reader.get(&format!("{API}/search/user?cql={}", enc(&clauses))).await;
    assert_error(&r, 400);
    assert!(r.body["message"].as_str().unwrap().contains("the limit is 20 clauses"), "{}", r.text);

    // At the limits, the query is answered.
    let r = reader.get(&broadest()).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Latencies of `/healthz` and `memberof`, sent one after another for
/// `run` from a thread and runtime of their own (so a stalled server
/// cannot also stall the clock that measures it); a call that takes
/// longer than 5 s counts as 5 s and ends the run.
fn victim(url: String, account: String, run: Duration) -> Vec<Duration> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let auth = crate::helpers::basic("admin@example.com", ADMIN_TOKEN);
        let memberof = format!("{url}{API}/user/memberof?accountId={}", enc(&account));
        let mut took = Vec::new();
        let end = Instant::now() + run;
        while Instant::now() < end {
            for u in [format!("{url}/healthz"), memberof.clone()] {
                let t = Instant::now();
                let ok = http.get(&u).header("Authorization", &auth).send().await.is_ok_and(|r| r.status() == 200);
                took.push(if ok { t.elapsed() } else { Duration::from_secs(5) });
                if !ok {
                    return took;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        took
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broadest_allowed_searches_do_not_stall_other_callers() {
    let app = TestApp::spawn().await;
    let (account, reader) = app.plain_user("reader").await;
    // Enough users that a scan of every user for every word would show:
    // names of two words (`Alma2 0417`), every one holding an `a`, so each
    // of the giant's words went through every name; single-character
    // words start thousands of them, created in one transaction.
    let users: Vec<UserInput> = (0..20_000)
        .map(|i| UserInput {
            display_name: format!("Alma{} {:04}", i / 5_000, i % 5_000),
            email: format!("alma{i}@example.com"),
            active: true,
            ..UserInput::default()
        })
        .collect();
    app.system().create_users(&users).await.unwrap();
    assert!(app.view().user_count() > 20_000);

    let (url, acc) = (app.url.clone(), account.clone());
    let measuring = std::thread::spawn(move || victim(url, acc, Duration::from_secs(3)));
    // Four connections, each taking turns at the refused giant, the most
    // words allowed, and one letter that matches every user (a deep page of
    // 200), until the measurement ends.
    let widest = format!("{API}/search/user?cql={}&start=19000&limit=200", enc("user.fullname ~ \"a*\""));
    let kinds = [giant(), broadest(), widest];
    let mut attackers = Vec::new();
    for i in 0..4 {
        let (reader, kinds) = (reader.clone(), kinds.clone());
        attackers.push(tokio::spawn(async move {
            let (mut refused, mut answered) = (0, 0);
            let end = Instant::now() + Duration::from_secs(3);
            let mut n = i;
            while Instant::now() < end {
                let r = reader.get(&kinds[n % kinds.len()]).await;
                match r.status.as_u16() {
                    400 => refused += 1,
                    200 => answered += 1,
                    other => panic!("{other}: {}", r.text),
                }
                n += 1;
            }
            (refused, answered)
        }));
    }
    let took = tokio::task::spawn_blocking(move || measuring.join().unwrap()).await.unwrap();
    let (mut refused, mut answered) = (0, 0);
    for a in attackers {
        let (r, s) = a.await.unwrap();
        refused += r;
        answered += s;
    }
    let mut sorted = took.clone();
    sorted.sort();
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    let worst = sorted[sorted.len() - 1];
    eprintln!(
        "victim: {} calls, p50 {:?}, p99 {p99:?}, max {worst:?}; attackers: {refused} refused, {answered} answered",
        sorted.len(),
        sorted[sorted.len() / 2]
    );
    assert!(sorted.len() >= 20, "the victim got through only {} calls in 3 s", sorted.len());
    assert!(refused > 0 && answered > 0, "{refused} refused, {answered} answered");
    assert!(p99 < Duration::from_millis(200), "p99 {p99:?} (max {worst:?}) while searches ran");
}

#[tokio::test]
async fn an_extender_date_format_over_its_limit_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    app.plain_user("ada").await;
    let base = "/rest/extender/1.0/user/getUserDetails/ada?dateFormat=";
    // Each field pads to its letter count: 40,000 `y`s were 40 KB a date.
    let r = app.admin().get(&format!("{base}{}", "y".repeat(40_000))).await;
    assert_error(&r, 400);
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("'dateFormat'") && msg.contains("the limit is 100 characters"), "{msg}");
    let r = app.admin().get(&format!("{base}{}", "y".repeat(100))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["createdDateString"].as_str().map(str::len), Some(100), "{}", r.text);
}
