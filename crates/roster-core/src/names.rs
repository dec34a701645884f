//! Validation of every name and identifier a caller can send. HTTP, CLI and
//! import all call these, so they cannot disagree about what is valid.

use crate::error::{Error, Result};

/// Longest name, e-mail or identifier roster accepts.
pub const MAX_NAME: usize = 255;

fn common(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > MAX_NAME {
        return Err(Error::invalid(field, format!("must be at most {MAX_NAME} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// A group name: 1..=255 characters, no control characters, not only
/// spaces. Anything else (`/`, `+`, `%`, `#`, non-ASCII) is allowed.
pub fn group_name(value: &str) -> Result<()> {
    common("name", value)
}

/// A Data Center username: the DC create-user rules (no upper case, no
/// whitespace, none of `\ , + < > ' "`, not `anonymous`).
pub fn username(value: &str) -> Result<()> {
    common("username", value)?;
    if value.chars().any(|c| c.is_whitespace() || "\\,+<>'\"".contains(c)) {
        return Err(Error::invalid("username", "must not contain whitespace or any of \\ , + < > ' \""));
    }
    if value.chars().any(char::is_uppercase) {
        return Err(Error::invalid("username", "must be lower case"));
    }
    if value == "anonymous" {
        return Err(Error::invalid("username", "'anonymous' is reserved"));
    }
    Ok(())
}

/// A display name: 1..=255 characters, no control characters, no `<` `>`.
pub fn display_name(value: &str) -> Result<()> {
    common("displayName", value)?;
    if value.contains(['<', '>']) {
        return Err(Error::invalid("displayName", "must not contain < or >"));
    }
    Ok(())
}

/// An e-mail address of the usual `local@domain` form; empty is allowed
/// only where `allow_empty` (app accounts have none).
pub fn email(value: &str, allow_empty: bool) -> Result<()> {
    if value.is_empty() && allow_empty {
        return Ok(());
    }
    common("email", value)?;
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("email", "must be an address of the form name@domain"))
    }
}

/// A Cloud account id: 1..=128 characters of `[A-Za-z0-9:_-]`.
pub fn account_id(value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 128 {
        return Err(Error::invalid("accountId", "must be 1 to 128 characters"));
    }
    if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-' || b == b'_') {
        return Err(Error::invalid("accountId", "may contain only letters, digits, ':', '-' and '_'"));
    }
    Ok(())
}

/// An account type: one of Confluence Cloud's three.
pub fn account_type(value: &str) -> Result<()> {
    match value {
        "atlassian" | "app" | "customer" => Ok(()),
        _ => Err(Error::invalid("accountType", "must be atlassian, app or customer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_allow_punctuation_and_unicode_but_not_control_characters() {
        assert!(group_name("a/b c+d%e#f").is_ok());
        assert!(group_name("équipe-日本").is_ok());
        assert!(group_name("bad\u{0}name").is_err());
        assert!(group_name("   ").is_err());
        assert!(group_name(&"x".repeat(256)).is_err());
        assert!(group_name(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn usernames_follow_the_data_center_rules() {
        assert!(username("jsmith").is_ok());
        assert!(username("JSmith").is_err());
        assert!(username("j smith").is_err());
        assert!(username("j,smith").is_err());
        assert!(username("anonymous").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(email("a@b.c", false).is_ok());
        assert!(email("", true).is_ok());
        assert!(email("", false).is_err());
        assert!(email("ab.c", false).is_err());
        assert!(email("a@", false).is_err());
        assert!(email("a b@c.d", false).is_err());
    }
}
