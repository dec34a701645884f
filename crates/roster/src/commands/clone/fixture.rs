//! The fixture a clone writes (docs/fixtures.md): one line per user, then
//! the groups, then each group's members, so that a diff of two clones
//! reads as what changed. Cloud users are named by account id (Cloud shows
//! no usernames), Data Center users by username. Strings are written as
//! JSON strings, which YAML reads as its double-quoted scalars. The file
//! appears whole or not at all: written beside its place, then renamed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::args::Flavor;
use super::site::{Site, SiteUser};

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A user key roster accepts; a site's other keys are left to be generated.
fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b))
}

/// The name memberships give the user by.
fn reference(flavor: Flavor, u: &SiteUser) -> String {
    match flavor {
        Flavor::Cloud => u.account_id.clone().unwrap_or_default(),
        // Data Center compares usernames without case; roster keeps them lower case.
        Flavor::Dc => u.username.as_deref().unwrap_or_default().to_lowercase(),
    }
}

fn user_line(flavor: Flavor, u: &SiteUser) -> String {
    let mut fields = Vec::new();
    match flavor {
        Flavor::Cloud => fields.push(format!("accountId: {}", q(&reference(flavor, u)))),
        Flavor::Dc => {
            fields.push(format!("username: {}", q(&reference(flavor, u))));
            if let Some(k) = u.user_key.as_deref().filter(|k| valid_key(k)) {
                fields.push(format!("userKey: {}", q(k)));
            }
        }
    }
    if let Some(t) = u.account_type.as_deref().filter(|t| *t != "atlassian") {
        fields.push(format!("accountType: {}", q(t)));
    }
    if let Some(d) = &u.display_name {
        fields.push(format!("displayName: {}", q(d)));
    }
    if let Some(e) = &u.email {
        fields.push(format!("email: {}", q(e)));
    }
    if u.active == Some(false) {
        fields.push("active: false".into());
    }
    if let Some(z) = &u.time_zone {
        fields.push(format!("timeZone: {}", q(z)));
    }
    format!("  - {{{}}}\n", fields.join(", "))
}

/// The fixture text of `site`, read from `from`.
pub fn render(site: &Site, from: &str) -> String {
    let mut out = String::with_capacity(128 * site.users.len() + 64 * site.membership_count());
    let _ = writeln!(
        out,
        "# roster clone of {from} (Confluence {}): {} users, {} groups, {} memberships",
        site.flavor.name(),
        site.users.len(),
        site.groups.len(),
        site.membership_count()
    );
    out.push_str("version: 1\n");
    if site.users.is_empty() {
        out.push_str("users: []\n");
    } else {
        out.push_str("users:\n");
        for u in &site.users {
            out.push_str(&user_line(site.flavor, u));
        }
    }
    if site.groups.is_empty() {
        out.push_str("groups: []\n");
    } else {
        out.push_str("groups:\n");
        for g in &site.groups {
            let _ = writeln!(out, "  - {}", q(g));
        }
    }
    let filled: Vec<usize> = (0..site.groups.len()).filter(|&g| !site.members[g].is_empty()).collect();
    if filled.is_empty() {
        out.push_str("memberships: {}\n");
    } else {
        out.push_str("memberships:\n");
        for g in filled {
            let _ = writeln!(out, "  {}:", q(&site.groups[g]));
            for &u in &site.members[g] {
                let _ = writeln!(out, "    - {}", q(&reference(site.flavor, &site.users[u])));
            }
        }
    }
    out
}

/// Writes `text` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over `path`.
pub fn save(path: &str, text: &str) -> anyhow::Result<()> {
    let target = Path::new(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".roster-clone-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(target)?;
    Ok(())
}
