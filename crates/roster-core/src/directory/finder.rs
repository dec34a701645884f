//! The admin searches behind the web console: users by name, username or
//! e-mail address, and one group's members filtered by the same rule, one
//! page at a time. Both run on indexes and bitmaps (the name index, the
//! username and e-mail maps, a group's member set), so a directory of
//! 100,000 users or a group of 5,000 members is never loaded as a whole;
//! only the users on the page are read. Revoking a user's tokens lives here
//! too, beside the token count the console shows with it.

use super::{Admin, Reader};
use crate::error::{Error, Result};
use crate::model::name_index::{self, NameMatches};
use crate::model::{GroupEntry, UserEntry};
use crate::store::{Change, Command};
use crate::types::{fold, UserId};

/// The longest search text, in characters (as the CQL limit: a search box
/// never needs more, and the bound keeps the work per request small).
pub const MAX_FIND_CHARS: usize = 1000;
/// The most words in one search (as a CQL `user.fullname ~` value).
pub const MAX_FIND_WORDS: usize = 10;

/// One page of matching users and how many match in all.
pub struct Found<'r> {
    pub users: Vec<&'r UserEntry>,
    pub total: usize,
}

/// What a search text matches: the user whose username or e-mail address
/// is the text (case-insensitive, whole), and every user whose display name
/// holds each word of it at the start of one of its words.
struct Matcher {
    exact: Vec<u32>,
    named: NameMatches,
}

impl Matcher {
    fn matches(&self, id: u32) -> bool {
        self.exact.contains(&id) || self.named.contains(id)
    }
}

fn member_id(u: &UserEntry) -> u32 {
    // Internal ids are dense indexes into the model's user vector.
    u.user.id.0 as u32
}

impl Reader<'_> {
    fn matcher(&self, text: &str) -> Result<Matcher> {
        if text.chars().count() > MAX_FIND_CHARS {
            return Err(Error::invalid("query", format!("must be at most {MAX_FIND_CHARS} characters")));
        }
        let folded = fold(text.trim());
        let words: Vec<&str> = name_index::words(&folded).collect();
        if words.len() > MAX_FIND_WORDS {
            return Err(Error::invalid("query", format!("must have at most {MAX_FIND_WORDS} words")));
        }
        let mut exact = Vec::new();
        let by_username = self.user_by_username(text.trim()).ok();
        for u in [by_username, self.user_by_email(text.trim())].into_iter().flatten() {
            if !exact.contains(&member_id(u)) {
                exact.push(member_id(u));
            }
        }
        // No words (only punctuation) names nobody by name.
        let named = if words.is_empty() { NameMatches::default() } else { self.users_named(&words) };
        Ok(Matcher { exact, named })
    }

    /// Users matching `text` (every user, in creation order, when it is
    /// blank): the exact username or e-mail match first, then name matches
    /// in creation order.
    pub fn find_users(&self, text: &str, start: usize, limit: usize) -> Result<Found<'_>> {
        if text.trim().is_empty() {
            let users = self.users().skip(start).take(limit).collect();
            return Ok(Found { users, total: self.user_count() });
        }
        let m = self.matcher(text)?;
        let extra = m.exact.iter().filter(|id| !m.named.contains(**id)).count();
        let named = m.named.iter_from(0).filter(|id| !m.exact.contains(id));
        let users = m.exact.iter().copied().chain(named).skip(start).take(limit).filter_map(|id| self.member(id));
        Ok(Found { users: users.collect(), total: m.named.len() + extra })
    }

    /// Members of `group` matching `text` (all of them when it is blank), in
    /// member order. A filter tests each member id against the matcher's
    /// bitmap; only the page's users are read.
    pub fn find_members<'g>(
        &'g self,
        group: &'g GroupEntry,
        text: &str,
        start: usize,
        limit: usize,
    ) -> Result<Found<'g>> {
        if text.trim().is_empty() {
            let users = group.members.iter_from(start).take(limit).filter_map(|id| self.member(id)).collect();
            return Ok(Found { users, total: group.members.len() });
        }
        let m = self.matcher(text)?;
        let mut total = 0;
        let mut page = Vec::new();
        for id in group.members.iter_from(0).filter(|id| m.matches(*id)) {
            if total >= start && page.len() < limit {
                page.extend(self.member(id));
            }
            total += 1;
        }
        Ok(Found { users: page, total })
    }

    /// How many API tokens `user` holds.
    pub fn token_count(&self, user: UserId) -> usize {
        self.model.token_count(user)
    }
}

impl Admin<'_> {
    /// Revokes every API token of `user`; answers how many there were. With
    /// none, nothing is written (and nothing audited).
    pub async fn revoke_tokens(&self, user: UserId) -> Result<usize> {
        let held = {
            let r = self.reader();
            r.user(user).ok_or_else(|| Error::not_found("user", format!("{user:?}")))?;
            r.token_count(user)
        };
        if held == 0 {
            return Ok(0);
        }
        let changes = self.dir.store.apply(vec![Command::RevokeTokens { user }]).await?;
        Ok(if changes.iter().all(|c| matches!(c, Change::Unchanged)) { 0 } else { held })
    }
}
