//! Validation of every name and identifier a caller can send. HTTP, CLI and
//! import all call these, so they cannot disagree about what is valid.
//!
//! Invisible format characters (general category Cf: bidi controls, zero
//! width spaces and joiners, the BOM, the soft hyphen; and the whole tag
//! block U+E0000..U+E007F) are refused in names, usernames, display names
//! and e-mails, with the code point and its position: they make a name that
//! looks like another (`site-admins\u{200B}`) or reads backwards. A new
//! group whose [`skeleton`] equals an admin or access group's must be that
//! group's exact name ([`new_group_name`]).

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::actor::Policy;
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
    visible(field, value)
}

/// Whether `c` is an invisible format character: general category Cf, or
/// any code point of the tag block (whose unassigned ones are Cn, not Cf).
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{E0000}'..='\u{E007F}') || c.general_category() == GeneralCategory::Format
}

/// Refuses the first invisible format character, naming it and its
/// position (1-based, in characters).
fn visible(field: &'static str, value: &str) -> Result<()> {
    match value.chars().enumerate().find(|(_, c)| is_invisible(*c)) {
        Some((i, c)) => Err(Error::invalid(
            field,
            format!("must not contain the invisible format character U+{:04X} (at character {})", u32::from(c), i + 1),
        )),
        None => Ok(()),
    }
}

/// The form names are compared in for lookalikes: invisible format
/// characters removed, NFKC (fullwidth and compatibility forms become
/// plain ones), lower-cased, NFKC again (lower-casing can denormalise),
/// outer whitespace trimmed and inner runs of it made one space.
pub fn skeleton(name: &str) -> String {
    let folded: String = name.chars().filter(|c| !is_invisible(*c)).nfkc().flat_map(char::to_lowercase).collect();
    let normal: String = folded.nfkc().collect();
    normal.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A new group's name: a valid [`group_name`] that is not a lookalike of
/// one of `policy`'s admin or access groups (same [`skeleton`], different
/// name: `Site-Admins`, `ｓｉｔｅ-admins` for `site-admins`).
pub fn new_group_name(value: &str, policy: &Policy) -> Result<()> {
    group_name(value)?;
    let admin = policy.admin_groups.iter().map(|g| ("an admin", g));
    let access = policy.access_groups.iter().map(|g| ("an access", g));
    let mut reserved = admin.chain(access).filter(|(_, g)| g.as_str() != value).peekable();
    if reserved.peek().is_none() {
        return Ok(());
    }
    let own = skeleton(value);
    match reserved.find(|(_, g)| skeleton(g) == own) {
        Some((kind, g)) => Err(Error::invalid(
            "name",
            format!("looks like {kind} group's name '{g}'; use that exact name or a clearly different one"),
        )),
        None => Ok(()),
    }
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

/// A time zone: an IANA name (`Europe/Berlin`, `America/Argentina/Salta`,
/// `Etc/GMT+5`, `UTC`): 1..=64 ASCII letters, digits and `/ _ - +`, not
/// starting or ending with `/`. Whether the zone exists is not checked (the
/// database changes every year, and a test double should not refuse a zone
/// the caller's newer database knows).
pub fn time_zone(value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
        && !value.starts_with('/')
        && !value.ends_with('/');
    if !ok {
        return Err(Error::invalid("timeZone", "must be an IANA time zone name such as Europe/Berlin"));
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

    /// One of each class the issue names: zero width space and marks,
    /// bidi embeddings and isolates, the BOM, tags, the soft hyphen.
    const INVISIBLE: [char; 12] = [
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{200E}',
        '\u{200F}',
        '\u{202A}',
        '\u{202E}',
        '\u{2066}',
        '\u{2069}',
        '\u{FEFF}',
        '\u{E0041}',
        '\u{AD}',
    ];

    fn reason(r: Result<()>) -> String {
        match r {
            Err(Error::Invalid { reason, .. }) => reason,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn invisible_format_characters_are_refused_in_every_name_with_code_point_and_position() {
        for c in INVISIBLE {
            let code = format!("U+{:04X}", u32::from(c));
            let name = format!("ab{c}c");
            for r in [group_name(&name), display_name(&name), username(&name), email(&format!("a{c}@b.c"), false)] {
                let why = reason(r);
                assert!(why.contains(&code), "{why}");
                assert!(why.contains("at character"), "{why}");
            }
            assert!(reason(group_name(&name)).contains("at character 3"));
        }
    }

    #[test]
    fn the_whole_tag_block_counts_as_invisible_even_where_unassigned() {
        assert!(is_invisible('\u{E0000}'));
        assert!(is_invisible('\u{E0002}'));
        assert!(is_invisible('\u{E007F}'));
        assert!(!is_invisible('\u{E0080}'));
    }

    /// The reference: code points UnicodeData.txt lists as Cf, from each
    /// block that has any; and visible neighbours that must stay allowed.
    #[test]
    fn cf_detection_matches_the_reference_list() {
        let cf = [
            0xAD, 0x600, 0x605, 0x61C, 0x6DD, 0x70F, 0x180E, 0x200B, 0x200F, 0x202A, 0x202E, 0x2060, 0x2064, 0x2066,
            0x206F, 0xFEFF, 0xFFF9, 0xFFFB, 0x110BD, 0x1D173, 0xE0001, 0xE0020,
        ];
        for c in cf.iter().filter_map(|&u| char::from_u32(u)) {
            assert!(is_invisible(c), "U+{:04X}", u32::from(c));
        }
        for c in ['a', ' ', '-', 'é', '日', '\u{2010}', '\u{FE0F}', '\u{1F600}', '\u{A0}', '\u{3000}'] {
            assert!(!is_invisible(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn skeletons_fold_case_width_and_invisible_characters() {
        assert_eq!(skeleton("Site-Admins"), "site-admins");
        assert_eq!(skeleton("\u{FF53}\u{FF49}\u{FF54}\u{FF45}-admins"), "site-admins");
        assert_eq!(skeleton("site-admins\u{200B}"), "site-admins");
        assert_eq!(skeleton("\u{17F}ite-admins"), "site-admins");
        assert_eq!(skeleton("  site\u{A0}\u{3000}admins "), "site admins");
    }

    #[test]
    fn lookalikes_of_policy_groups_are_refused_but_the_names_themselves_and_others_pass() {
        let p = Policy::default();
        assert!(new_group_name("site-admins", &p).is_ok());
        assert!(new_group_name("confluence-users", &p).is_ok());
        assert!(new_group_name("site-admins-2", &p).is_ok());
        assert!(new_group_name("web team", &p).is_ok());
        for bad in [
            "Site-Admins",
            "\u{FF53}\u{FF49}\u{FF54}\u{FF45}-admins",
            "CONFLUENCE-USERS",
            " site-admins",
            "\u{17F}ite-admins",
        ] {
            assert!(reason(new_group_name(bad, &p)).contains("looks like"), "{bad}");
        }
        assert!(reason(new_group_name("Confluence-Users", &p)).contains("access group's name 'confluence-users'"));
        assert!(reason(new_group_name("site-admins\u{200B}", &p)).contains("U+200B"));
        let custom = Policy { admin_groups: vec!["Ops".into()], access_groups: vec![], ..Policy::default() };
        assert!(new_group_name("ops", &custom).is_err());
        assert!(new_group_name("Site-Admins", &custom).is_ok());
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
