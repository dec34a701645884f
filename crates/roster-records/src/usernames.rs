//! Generated Data Center usernames. Every user has one, so the DC and
//! Extender dialects can address any account; when a create or an import
//! gives none, the store derives one with [`derive`] and makes it unique
//! with [`unique`] inside the transaction that saves the user. The result
//! is stored, so it never changes afterwards (restarts, re-imports).
//!
//! The rule: the e-mail's local part (`Jane.Doe+x@example.com` →
//! `jane.doe_x`), lower-cased, with whitespace and the characters DC
//! forbids (`\ , + < > ' "`) and control characters replaced by `_`.
//! Without an e-mail (app accounts), the display name is used the same way
//! with spaces turned into `.`; failing that, `user`. A name that is taken
//! (case-insensitively) gets the smallest numeric suffix from 2 upwards
//! that is free: `jane.doe`, `jane.doe2`, `jane.doe3`.

use crate::names;

/// Longest base name, leaving room for a numeric suffix within the 255
/// characters a username may have.
const MAX_BASE: usize = 240;

fn clean(raw: &str, space: char) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        if c.is_whitespace() {
            if !out.ends_with(space) {
                out.push(space);
            }
        } else if c.is_control() || "\\,+<>'\"".contains(c) {
            out.push('_');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out.chars().take(MAX_BASE).collect()
}

/// The base username for an account with this e-mail and display name.
pub fn derive(email: &str, display_name: &str) -> String {
    let from_email = email.split_once('@').map(|(local, _)| clean(local, '_')).unwrap_or_default();
    for candidate in [from_email, clean(display_name, '.')] {
        if names::username(&candidate).is_ok() {
            return candidate;
        }
    }
    "user".to_string()
}

/// `base`, or `base` with the smallest suffix (2, 3, ...) that `taken`
/// says is free. `taken` must compare case-insensitively.
pub fn unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    let mut n: u64 = 2;
    loop {
        let candidate = format!("{base}{n}");
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_come_from_the_email_local_part_lower_cased_and_cleaned() {
        assert_eq!(derive("Jane.Doe@example.com", "Jane Doe"), "jane.doe");
        assert_eq!(derive("bob+tag@example.com", "Bob"), "bob_tag");
        assert_eq!(derive("o'neil@example.com", "x"), "o_neil");
    }

    #[test]
    fn without_an_email_the_display_name_is_used_then_a_fallback() {
        assert_eq!(derive("", "Build  Bot"), "build.bot");
        assert_eq!(derive("", "   "), "user");
        assert_eq!(derive("anonymous@example.com", "Anon Ymous"), "anon.ymous");
    }

    #[test]
    fn taken_names_get_the_smallest_free_numeric_suffix() {
        let taken = ["jane", "jane2", "jane3"];
        assert_eq!(unique("jane", |c| taken.contains(&c)), "jane4");
        assert_eq!(unique("bob", |c| taken.contains(&c)), "bob");
    }

    #[test]
    fn derived_names_always_pass_the_username_rules() {
        for (e, d) in [("A B@x.y", "Z"), ("é<>@x.y", "Q"), ("", "Ünïcode Näme"), ("x@y", "\u{1}")] {
            let u = derive(e, d);
            assert!(names::username(&u).is_ok(), "{u}");
        }
    }
}
