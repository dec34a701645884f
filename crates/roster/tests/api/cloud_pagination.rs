//! Paging edges: groups of 0, 1, 199, 200 and 201 members walked with
//! limits 1, 25 and 200; clamped limits; totals; pages past the end.

use std::collections::HashSet;

use crate::helpers::{assert_error, TestApp};

const API: &str = "/wiki/rest/api";

async fn walk(app: &TestApp, group: &str, limit: usize) -> (Vec<String>, usize) {
    let mut seen = Vec::new();
    let mut path = format!("{API}/group/member?name={group}&start=0&limit={limit}");
    let mut pages = 0;
    loop {
        let r = app.admin().get(&path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        let results = r.body["results"].as_array().unwrap();
        assert_eq!(r.body["size"], results.len());
        assert_eq!(r.body["limit"], limit);
        assert!(results.len() <= limit);
        seen.extend(results.iter().map(|u| u["accountId"].as_str().unwrap().to_string()));
        match r.body["_links"]["next"].as_str() {
            Some(next) => {
                assert_eq!(results.len(), limit, "a page with a next link is full");
                assert!(next.starts_with("/rest/api/group/member?"), "{next}");
                path = format!("/wiki{next}");
            }
            None => break,
        }
        assert!(pages < 1000);
    }
    (seen, pages)
}

#[tokio::test]
async fn every_member_is_seen_exactly_once_whatever_the_group_size_and_limit() {
    let app = TestApp::spawn().await;
    let all = app.users("Pager", 201).await;
    for size in [0usize, 1, 199, 200, 201] {
        let name = format!("size-{size}");
        app.group(&name).await;
        app.add_members(&name, &all[..size]).await;
        for limit in [1usize, 25, 200] {
            if limit == 1 && size > 25 {
                continue; // 1-item pages over big groups add time, not coverage
            }
            let (seen, pages) = walk(&app, &name, limit).await;
            assert_eq!(seen, all[..size].to_vec(), "size {size} limit {limit}");
            let unique: HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), size);
            assert_eq!(pages, size.div_ceil(limit).max(1), "size {size} limit {limit}");
        }
    }
}

#[tokio::test]
async fn a_limit_above_200_is_clamped_and_the_effective_limit_echoed() {
    let app = TestApp::spawn().await;
    let all = app.users("Clamp", 201).await;
    app.group("big").await;
    app.add_members("big", &all).await;
    let r = app.admin().get(&format!("{API}/group/member?name=big&limit=1000&shouldReturnTotalSize=true")).await;
    assert_eq!(r.body["limit"], 200);
    assert_eq!(r.body["size"], 200);
    assert_eq!(r.body["totalSize"], 201);
    assert_eq!(
        r.body["_links"]["next"],
        "/rest/api/group/member?name=big&shouldReturnTotalSize=true&start=200&limit=200"
    );
    let r = app.admin().get(&format!("{API}/group?limit=5000")).await;
    assert_eq!(r.body["limit"], 200);
}

#[tokio::test]
async fn the_path_forms_of_the_member_list_refuse_a_limit_above_200() {
    let app = TestApp::spawn().await;
    let id = app.group("big").await;
    for path in [format!("{API}/group/big/member"), format!("{API}/group/{id}/membersByGroupId")] {
        // "400: Returned if given limit is greater than 200", in both operations' descriptions.
        assert_error(&app.admin().get(&format!("{path}?limit=201")).await, 400);
        let r = app.admin().get(&format!("{path}?limit=200")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["limit"], 200);
    }
}

#[tokio::test]
async fn a_start_past_the_end_gives_an_empty_page_without_next() {
    let app = TestApp::spawn().await;
    let all = app.users("Past", 3).await;
    app.group("small").await;
    app.add_members("small", &all).await;
    let r = app.admin().get(&format!("{API}/group/member?name=small&start=50")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 0);
    assert_eq!(r.body["size"], 0);
    assert_eq!(r.body["start"], 50);
    assert!(r.body["_links"].get("next").is_none());
    let r = app.admin().get(&format!("{API}/group?start=999")).await;
    assert_eq!(r.body["size"], 0);
}

#[tokio::test]
async fn a_zero_limit_returns_no_items_and_no_next_link() {
    let app = TestApp::spawn().await;
    let r = app.admin().get(&format!("{API}/group?limit=0")).await;
    assert_eq!(r.body["size"], 0);
    assert_eq!(r.body["limit"], 0);
    assert!(r.body["_links"].get("next").is_none());
}

#[tokio::test]
async fn negative_or_non_numeric_paging_is_a_400() {
    let app = TestApp::spawn().await;
    for q in ["start=-1", "limit=ten", "limit=-5"] {
        let r = app.admin().get(&format!("{API}/group?{q}")).await;
        crate::helpers::assert_error(&r, 400);
    }
}

#[tokio::test]
async fn memberof_pages_link_next_only_when_more_groups_exist() {
    let app = TestApp::spawn().await;
    let (acc, _) = app.user("paula", &["confluence-users", "g1", "g2"]).await;
    let r = app.admin().get(&format!("{API}/user/memberof?accountId={}&limit=2", crate::helpers::enc(&acc))).await;
    assert_eq!(r.body["size"], 2);
    assert!(r.body["_links"]["next"].as_str().unwrap().contains("start=2"));
    let r =
        app.admin().get(&format!("{API}/user/memberof?accountId={}&limit=2&start=2", crate::helpers::enc(&acc))).await;
    assert_eq!(r.body["size"], 1);
    assert!(r.body["_links"].get("next").is_none());
}
