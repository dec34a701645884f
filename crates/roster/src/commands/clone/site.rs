//! What a clone read: the site's users, groups and memberships, each user
//! once however many lists it turned up in. A user is the same user by its
//! account id on Cloud and by its username on Data Center (which are what
//! the fixture names it by); a later sighting fills in what an earlier one
//! lacked (an address, a status).

use std::collections::{HashMap, HashSet};

use roster_core::types::fold;

use super::args::Flavor;

/// A user as the site shows it; absent fields were not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteUser {
    pub account_id: Option<String>,
    pub username: Option<String>,
    pub user_key: Option<String>,
    pub display_name: Option<String>,
    /// None when hidden from the reader (or the site has none).
    pub email: Option<String>,
    pub account_type: Option<String>,
    /// None when the list it came from does not say.
    pub active: Option<bool>,
    /// An IANA name; None when unknown (or hidden by the user's privacy settings).
    pub time_zone: Option<String>,
}

/// The site, as read.
#[derive(Debug)]
pub struct Site {
    pub flavor: Flavor,
    pub users: Vec<SiteUser>,
    by_key: HashMap<String, usize>,
    pub groups: Vec<String>,
    by_group: HashMap<String, usize>,
    /// Members of each group (index into `groups`), users by index, in the order the site lists them.
    pub members: Vec<Vec<usize>>,
    seen: HashSet<(usize, usize)>,
}

impl Site {
    pub fn new(flavor: Flavor) -> Self {
        Site {
            flavor,
            users: Vec::new(),
            by_key: HashMap::new(),
            groups: Vec::new(),
            by_group: HashMap::new(),
            members: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// What makes two sightings one user.
    fn key(&self, u: &SiteUser) -> Option<String> {
        match self.flavor {
            Flavor::Cloud => u.account_id.clone(),
            Flavor::Dc => u.username.as_deref().map(fold),
        }
    }

    /// Adds a user, or fills in what an earlier sighting lacked; its index.
    /// A record without the identity of its flavour is left out (None).
    pub fn add_user(&mut self, u: SiteUser) -> Option<usize> {
        let key = self.key(&u)?;
        if let Some(&i) = self.by_key.get(&key) {
            let known = &mut self.users[i];
            let fill = |slot: &mut Option<String>, v: Option<String>| {
                if slot.as_deref().is_none_or(str::is_empty) {
                    *slot = v.or(slot.take());
                }
            };
            fill(&mut known.email, u.email);
            fill(&mut known.display_name, u.display_name);
            fill(&mut known.user_key, u.user_key);
            fill(&mut known.account_type, u.account_type);
            known.active = known.active.or(u.active);
            fill(&mut known.time_zone, u.time_zone);
            return Some(i);
        }
        self.users.push(u);
        self.by_key.insert(key, self.users.len() - 1);
        Some(self.users.len() - 1)
    }

    /// The index of user `u`'s record, if it was added.
    pub fn user_index(&self, u: &SiteUser) -> Option<usize> {
        self.key(u).and_then(|k| self.by_key.get(&k).copied())
    }

    /// Adds a group (once per name, compared as Confluence does); its index.
    pub fn add_group(&mut self, name: &str) -> usize {
        if let Some(&i) = self.by_group.get(&fold(name)) {
            return i;
        }
        self.groups.push(name.to_string());
        self.members.push(Vec::new());
        self.by_group.insert(fold(name), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// Makes user `user` a member of group `group` (once).
    pub fn add_member(&mut self, group: usize, user: usize) {
        if self.seen.insert((group, user)) {
            self.members[group].push(user);
        }
    }

    pub fn membership_count(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_seen_twice_is_one_user_with_what_both_sightings_told() {
        let mut site = Site::new(Flavor::Dc);
        let a = SiteUser { username: Some("Ann".into()), active: Some(false), ..SiteUser::default() };
        let b = SiteUser { username: Some("ann".into()), email: Some("ann@example.com".into()), ..SiteUser::default() };
        assert_eq!(site.add_user(a), Some(0));
        assert_eq!(site.add_user(b), Some(0));
        assert_eq!(site.users[0].email.as_deref(), Some("ann@example.com"));
        assert_eq!(site.users[0].active, Some(false));
        assert_eq!(site.add_user(SiteUser::default()), None);
        let g = site.add_group("Crew");
        assert_eq!(site.add_group("crew"), g);
        site.add_member(g, 0);
        site.add_member(g, 0);
        assert_eq!(site.membership_count(), 1);
    }
}
