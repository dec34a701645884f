//! Reading a Confluence Cloud site through REST v1 (`/wiki/rest/api`):
//! every group, every user (`search/user` with `type = user`, which also
//! finds users in no group), each group's members by group id, and the
//! addresses the pages left empty through `user/email/bulk`, where the
//! site lets the account read them (Cloud hides addresses by default and
//! lets only some callers ask for them; the users are cloned without).

use anyhow::bail;
use futures::{stream, StreamExt, TryStreamExt};
use serde_json::Value;

use super::args::Flavor;
use super::http::{enc, Client, FetchError};
use super::paging::Walk;
use super::progress::{Items, Progress};
use super::site::{Site, SiteUser};

const API: &str = "/wiki/rest/api";
/// Cloud's largest page.
const PAGE: usize = 200;
/// Account ids per `user/email/bulk` request (the URL stays near 5 KB).
const EMAIL_BATCH: usize = 100;

/// Reads the whole site.
pub async fn read(c: &Client<'_>, p: &Progress<'_>, concurrency: usize) -> anyhow::Result<Site> {
    let path = format!("{API}/user/current");
    let me = c.get_json(&path).await?;
    if me["type"] == "anonymous" {
        bail!(
            "{} answered for an anonymous user: the credentials were not used; check --user and the token",
            c.url(&path)
        );
    }
    if !me["accountId"].is_string() {
        bail!(
            "{} answered without an accountId: not Confluence Cloud (for Data Center, give --flavor dc)",
            c.url(&path)
        );
    }
    let mut site = Site::new(Flavor::Cloud);

    p.line("reading groups");
    let mut groups: Vec<(String, Option<String>)> = Vec::new();
    Walk::results(format!("{API}/group"), PAGE, Items::Groups)
        .each(c, p, |g| {
            if let Some(name) = g["name"].as_str() {
                groups.push((name.to_string(), g["id"].as_str().map(str::to_string)));
            }
        })
        .await?;
    let index: Vec<usize> = groups.iter().map(|(name, _)| site.add_group(name)).collect();

    p.line("reading users");
    let mut listed = Vec::new();
    let search = Walk::results(format!("{API}/search/user?cql=type%3Duser"), PAGE, Items::Users);
    match search.each(c, p, |hit| listed.extend(user(&hit["user"]))).await {
        Ok(()) => {}
        Err(e) if matches!(e.status(), Some(400 | 403 | 404 | 501)) => {
            p.line(format_args!("no user search ({e}); users in no group are not cloned"));
        }
        Err(e) => return Err(e.into()),
    }
    for u in listed {
        site.add_user(u);
    }

    p.line(format_args!("reading the members of {} groups", groups.len()));
    let lists: Vec<(usize, Vec<SiteUser>)> = stream::iter(groups.iter().enumerate())
        .map(|(i, (name, id))| async move {
            // By id where the site gives one: Cloud is retiring group names in URLs.
            let path = match id {
                Some(id) => format!("{API}/group/{}/membersByGroupId", enc(id)),
                None => format!("{API}/group/member?name={}", enc(name)),
            };
            let mut users = Vec::new();
            Walk::results(path, PAGE, Items::Memberships).each(c, p, |m| users.extend(user(m))).await?;
            Ok::<_, FetchError>((i, users))
        })
        .buffered(concurrency)
        .try_collect()
        .await?;
    for (i, users) in lists {
        for u in users {
            if let Some(at) = site.add_user(u) {
                site.add_member(index[i], at);
            }
        }
    }
    emails(c, p, &mut site).await?;
    Ok(site)
}

/// A user object of any Cloud page; None without an account id.
fn user(v: &Value) -> Option<SiteUser> {
    let text = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_string);
    Some(SiteUser {
        account_id: Some(text("accountId")?),
        display_name: text("displayName").or_else(|| text("publicName")),
        email: text("email"),
        account_type: text("accountType"),
        // `inactive`, and `closed` for accounts deleted from the organisation.
        active: v["accountStatus"].as_str().map(|s| s == "active"),
        // A zone roster would refuse (not an IANA name) is left out, not the user.
        time_zone: text("timeZone").filter(|z| roster_core::names::time_zone(z).is_ok()),
        ..SiteUser::default()
    })
}

/// Asks `user/email/bulk` for the addresses the pages left empty; a 4xx
/// answer means the account may not (the rest are cloned without one).
async fn emails(c: &Client<'_>, p: &Progress<'_>, site: &mut Site) -> anyhow::Result<()> {
    let hidden: Vec<String> = site
        .users
        .iter()
        .filter(|u| u.email.is_none() && u.account_type.as_deref() != Some("app"))
        .filter_map(|u| u.account_id.clone())
        .collect();
    if hidden.is_empty() {
        return Ok(());
    }
    p.line(format_args!("asking for the hidden e-mail addresses of {} users", hidden.len()));
    let mut found = 0;
    for batch in hidden.chunks(EMAIL_BATCH) {
        let query: Vec<String> = batch.iter().map(|a| format!("accountId={}", enc(a))).collect();
        let answer = match c.get_json(&format!("{API}/user/email/bulk?{}", query.join("&"))).await {
            Ok(v) => v,
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                p.line(format_args!("addresses stay hidden ({e}); those users are cloned without one"));
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let records = answer.as_array().map_or(&[][..], Vec::as_slice);
        for r in records {
            let (Some(id), Some(email)) = (r["accountId"].as_str(), r["email"].as_str()) else { continue };
            let key = SiteUser { account_id: Some(id.to_string()), ..SiteUser::default() };
            if let (Some(i), false) = (site.user_index(&key), email.is_empty()) {
                site.users[i].email = Some(email.to_string());
                found += 1;
            }
        }
        p.page(Items::Other, records.len());
    }
    p.line(format_args!("{found} of {} hidden addresses were given", hidden.len()));
    Ok(())
}
