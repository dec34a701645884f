//! Reading a Confluence Data Center site: `/rest/api` (groups, `user/list`
//! with each user's status, each group's members), and, when the Extender
//! app answers at `/rest/extender/1.0`, its lists instead for groups and
//! members (1,000 a page rather than 200) and its user list for the
//! addresses that `/rest/api` shows only in a user's details.

use anyhow::bail;
use futures::{stream, StreamExt, TryStreamExt};
use serde_json::Value;

use super::args::Flavor;
use super::http::{enc, Client, FetchError};
use super::paging::Walk;
use super::progress::{Items, Progress};
use super::site::{Site, SiteUser};

const API: &str = "/rest/api";
const EXTENDER: &str = "/rest/extender/1.0";
/// Data Center's fixed page size.
const PAGE: usize = 200;

/// Reads the whole site.
pub async fn read(c: &Client<'_>, p: &Progress<'_>, concurrency: usize) -> anyhow::Result<Site> {
    let path = format!("{API}/user/current");
    let me = c.get_json(&path).await?;
    match me["type"].as_str() {
        Some("known") => {}
        Some("anonymous") => bail!(
            "{} answered for an anonymous user: the credentials were not used; check --user and the token",
            c.url(&path)
        ),
        _ => bail!(
            "{} answered with no Data Center user: not Confluence Data Center (for Cloud, give --flavor cloud)",
            c.url(&path)
        ),
    }
    let extender = match c.get_json(&format!("{EXTENDER}/group/getGroups?maxResults=1")).await {
        Ok(v) => v["groups"].is_array(),
        // Not installed (404), or not open to this account: /rest/api it is.
        Err(e) if e.status().is_some() => false,
        Err(e) => return Err(e.into()),
    };
    p.line(if extender {
        "the Extender app answers: groups, members and addresses are read through it"
    } else {
        "no Extender app: reading /rest/api only"
    });
    let mut site = Site::new(Flavor::Dc);

    p.line("reading groups");
    let mut names: Vec<String> = Vec::new();
    let walk = if extender {
        Walk::extender(format!("{EXTENDER}/group/getGroups"), "groups", Items::Groups)
    } else {
        Walk::results(format!("{API}/group"), PAGE, Items::Groups)
    };
    walk.each(c, p, |g| names.extend(g.as_str().or(g["name"].as_str()).map(str::to_string))).await?;
    let index: Vec<usize> = names.iter().map(|n| site.add_group(n)).collect();

    p.line("reading users");
    let mut listed = Vec::new();
    let users = Walk::results(format!("{API}/user/list?expand=status,details.personal"), PAGE, Items::Users);
    match users.each(c, p, |u| listed.extend(person(u))).await {
        Ok(()) => {}
        Err(e) if e.status() == Some(404) => {
            p.line(format_args!("no user list ({e}; Confluence before 8.4): users in no group are not cloned"))
        }
        Err(e) => return Err(e.into()),
    }
    if extender {
        let all = Walk::extender(format!("{EXTENDER}/user/getUsers?showBasicDetails=true"), "users", Items::Other);
        match all.each(c, p, |u| listed.extend(extender_user(u))).await {
            Ok(()) => {}
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                p.line(format_args!("no addresses from the Extender app ({e})"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    for u in listed {
        site.add_user(u);
    }

    p.line(format_args!("reading the members of {} groups", names.len()));
    let lists: Vec<(usize, Vec<SiteUser>)> = stream::iter(names.iter().enumerate())
        .map(|(i, name)| async move {
            let mut users = Vec::new();
            if extender {
                let path = format!("{EXTENDER}/group/getUsers/{}?showBasicDetails=true", enc(name));
                Walk::extender(path, "users", Items::Memberships)
                    .each(c, p, |u| users.extend(extender_user(u)))
                    .await?;
            } else {
                let path = format!("{API}/group/{}/member?expand=status", enc(name));
                Walk::results(path, PAGE, Items::Memberships).each(c, p, |u| users.extend(person(u))).await?;
            }
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
    Ok(site)
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A `/rest/api` Person; None without a username.
fn person(v: &Value) -> Option<SiteUser> {
    Some(SiteUser {
        username: Some(text(v.get("username"))?),
        user_key: text(v.get("userKey")),
        display_name: text(v.get("displayName")),
        email: text(v.pointer("/details/personal/email")),
        active: v["status"]
            .as_str()
            .map(|s| !["deactivated", "disabled", "inactive"].contains(&s.to_lowercase().as_str())),
        ..SiteUser::default()
    })
}

/// An Extender user with basic details (`name`, `key`, `fullName`, `email`).
fn extender_user(v: &Value) -> Option<SiteUser> {
    Some(SiteUser {
        username: Some(text(v.get("name"))?),
        user_key: text(v.get("key")),
        display_name: text(v.get("fullName")),
        email: text(v.get("email")),
        ..SiteUser::default()
    })
}
