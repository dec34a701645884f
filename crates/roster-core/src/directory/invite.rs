//! Site access by e-mail address (Confluence Cloud REST v2 `user/access`):
//! which addresses belong to an account that may use the site, and the
//! invitation that makes them do so. Inviting creates the accounts that
//! are missing through [`Admin::create_user`], so an invited user joins the
//! default access group by the very rule every new user does, and grants
//! product access (membership of that group) to existing accounts without
//! it. Both answer each address once, in the order given, and an address
//! that is not of the form `name@domain` is reported, never acted on.

use std::collections::HashSet;

use super::users::default_access_group;
use super::{Admin, Joins, Reader, UserInput};
use crate::error::{Error, Result};
use crate::names;
use crate::types::{fold, UserId};

/// Which of the addresses asked about cannot reach the site.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AccessCheck {
    /// Well-formed addresses of no account, or of an account without
    /// product access (deactivated, or in no access or admin group).
    pub without_access: Vec<String>,
    /// Addresses that are not of the form `name@domain`.
    pub invalid: Vec<String>,
}

/// What an invitation did, address by address.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Invitation {
    /// New accounts (in the default access group when one exists).
    pub created: Vec<String>,
    /// Existing active accounts that joined the default access group.
    pub granted: Vec<String>,
    /// Left as they were: accounts that already had access, deactivated
    /// accounts (turning one back on is an administrator's own decision),
    /// and accounts without access when no access group exists.
    pub unchanged: Vec<String>,
    /// Addresses that are not of the form `name@domain`, ignored.
    pub invalid: Vec<String>,
}

/// Each address once (compared case-insensitively, as e-mail addresses of
/// accounts are), split into well-formed ones and the rest.
fn distinct(emails: &[String]) -> (Vec<&str>, Vec<String>) {
    let mut seen = HashSet::new();
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for e in emails.iter().filter(|e| seen.insert(fold(e))) {
        match names::email(e, false) {
            Ok(()) => valid.push(e.as_str()),
            Err(_) => invalid.push(e.clone()),
        }
    }
    (valid, invalid)
}

impl Reader<'_> {
    /// Which of `emails` have no site access, and which are malformed.
    pub fn site_access(&self, emails: &[String]) -> AccessCheck {
        let (valid, invalid) = distinct(emails);
        let without_access = valid
            .into_iter()
            .filter(|e| !self.user_by_email(e).is_some_and(|u| self.can_use(u)))
            .map(str::to_string)
            .collect();
        AccessCheck { without_access, invalid }
    }
}

/// What to do for one well-formed address.
enum Step {
    Create(String),
    Grant(String, UserId),
    Leave(String),
}

/// The display name an invited account starts with: the address's local
/// part (what Atlassian shows for an invitee who has not named themself),
/// without the characters display names may not hold.
fn name_from(email: &str) -> String {
    let local = email.rsplit_once('@').map_or(email, |(l, _)| l);
    let name: String = local.chars().filter(|c| !matches!(c, '<' | '>') && !c.is_control()).collect();
    if names::display_name(&name).is_ok() {
        name
    } else {
        "Invited user".into()
    }
}

impl Admin<'_> {
    /// Invites `emails` to the site: creates an account for each address no
    /// account has, gives product access to active accounts without it, and
    /// leaves everything else alone, so inviting twice changes nothing the
    /// second time. Each account created or changed is its own audited
    /// write.
    pub async fn invite_by_email(&self, emails: &[String]) -> Result<Invitation> {
        let (valid, invalid) = distinct(emails);
        let (steps, group) = {
            let m = self.dir.read();
            let group = default_access_group(&m);
            let steps: Vec<Step> = valid
                .into_iter()
                .map(|e| match m.user_by_email(e) {
                    None => Step::Create(e.to_string()),
                    Some(u) if u.user.active && !m.can_use(u) && group.is_some() => {
                        Step::Grant(e.to_string(), u.user.id)
                    }
                    Some(_) => Step::Leave(e.to_string()),
                })
                .collect();
            (steps, group)
        };
        let mut out = Invitation { invalid, ..Invitation::default() };
        for step in steps {
            match step {
                Step::Create(email) => {
                    let input = UserInput {
                        display_name: name_from(&email),
                        email: email.clone(),
                        active: true,
                        ..Default::default()
                    };
                    match self.create_user(&input, Joins::DefaultAccessGroup).await {
                        Ok(_) => out.created.push(email),
                        // Invited by someone else meanwhile: theirs stands.
                        Err(Error::AlreadyExists { .. }) => out.unchanged.push(email),
                        Err(e) => return Err(e),
                    }
                }
                Step::Grant(email, user) => {
                    let group = group.ok_or_else(|| Error::Internal(anyhow::anyhow!("no access group")))?;
                    match self.add_member(group, user).await? {
                        true => out.granted.push(email),
                        false => out.unchanged.push(email),
                    }
                }
                Step::Leave(email) => out.unchanged.push(email),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{distinct, name_from};

    #[test]
    fn addresses_are_answered_once_each_in_order_and_malformed_ones_apart() {
        let asked: Vec<String> =
            ["a@x.org", "nope", "A@X.org", "b@x.org", "nope", "c@@x"].iter().map(|s| s.to_string()).collect();
        let (valid, invalid) = distinct(&asked);
        assert_eq!(valid, ["a@x.org", "b@x.org"]);
        assert_eq!(invalid, ["nope", "c@@x"]);
    }

    #[test]
    fn an_invitee_is_named_after_the_local_part_of_the_address() {
        assert_eq!(name_from("ann.lee@example.com"), "ann.lee");
        assert_eq!(name_from("a<b>@example.com"), "ab");
        assert_eq!(name_from("<>@example.com"), "Invited user");
    }
}
