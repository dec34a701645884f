//! Changing a user's display name and e-mail address as a site admin (DC's
//! `PUT /rest/api/admin/user/{username}`, DC 9.x): the same validation a
//! new user's name and address get, and an address stays unique, since
//! roster signs users in by it.

use super::Admin;
use crate::error::{Error, Result};
use crate::names;
use crate::types::{User, UserId};

/// What may change; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub email: Option<String>,
}

impl Admin<'_> {
    /// Changes the display name and/or e-mail address of user `id`
    /// (audited like every write). 400 when neither is given or one is
    /// invalid, 409 when another user has the address (any case).
    pub async fn change_profile(&self, id: UserId, change: ProfileChange) -> Result<User> {
        if change.display_name.is_none() && change.email.is_none() {
            return Err(Error::invalid("displayName", "nothing to change: give a display name or an e-mail address"));
        }
        if let Some(name) = &change.display_name {
            names::display_name(name)?;
        }
        if let Some(email) = &change.email {
            names::email(email, false)?;
            let m = self.dir.read();
            // The account's own address in another case is not a conflict.
            if m.user_by_email(email).is_some_and(|owner| owner.user.id != id) {
                return Err(Error::exists("user", format!("email {email}")));
            }
        }
        self.update_user(id, |u| {
            if let Some(name) = change.display_name {
                u.display_name = name.as_str().into();
            }
            if let Some(email) = change.email {
                u.email = email.as_str().into();
            }
            Ok(())
        })
        .await
    }
}
