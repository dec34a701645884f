//! Input hygiene for every dialect, before routing: the percent-decoded
//! path must be UTF-8 without control characters, and so must every query
//! name and value (tab, CR and LF excepted, since search text may hold
//! them). Anything else is a 400 naming `path` or `query`, so no handler
//! ever sees a name with `%00` or invalid UTF-8 in it.

use percent_encoding::percent_decode;
use roster_core::Error;

/// Checks a raw (still percent-encoded) path.
pub fn check_path(raw: &str) -> Result<(), Error> {
    if !raw.contains('%') {
        // A parsed URI holds only visible ASCII, so there is nothing to find.
        return Ok(());
    }
    let decoded = percent_decode(raw.as_bytes())
        .decode_utf8()
        .map_err(|_| Error::invalid("path", "is not valid percent-encoded UTF-8"))?;
    if decoded.chars().any(char::is_control) {
        return Err(Error::invalid("path", "must not contain control characters"));
    }
    Ok(())
}

fn hex(b: Option<&u8>) -> Option<u8> {
    char::from(*b?).to_digit(16).map(|d| d as u8)
}

/// The check below for a part that decodes to ASCII, without decoding it
/// into a string (a bulk lookup sends 200 escaped ids): `Some(ok)`, or
/// `None` when a decoded byte is not ASCII and the full check must run.
fn ascii_part_ok(part: &[u8]) -> Option<bool> {
    let mut i = 0;
    while i < part.len() {
        let mut b = part[i];
        if b == b'%' {
            if let (Some(hi), Some(lo)) = (hex(part.get(i + 1)), hex(part.get(i + 2))) {
                b = hi << 4 | lo;
                i += 2;
            }
        }
        if !b.is_ascii() {
            return None;
        }
        if b.is_ascii_control() && !matches!(b, b'\t' | b'\r' | b'\n') {
            return Some(false);
        }
        i += 1;
    }
    Some(true)
}

/// Checks a raw query string (form encoding: `+` is a space).
pub fn check_query(raw: &str) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    // A parsed URI carries no raw control bytes: only escapes can smuggle
    // them in. When the query is ASCII, look at the escapes alone (memchr
    // finds them), and decode part by part only if one encodes non-ASCII.
    if bytes.is_ascii() {
        let mut needs_utf8_check = false;
        for at in memchr::memchr_iter(b'%', bytes) {
            let (Some(hi), Some(lo)) = (hex(bytes.get(at + 1)), hex(bytes.get(at + 2))) else { continue };
            let b = hi << 4 | lo;
            if !b.is_ascii() {
                needs_utf8_check = true;
            } else if b.is_ascii_control() && !matches!(b, b'\t' | b'\r' | b'\n') {
                return Err(Error::invalid("query", "must not contain control characters"));
            }
        }
        if !needs_utf8_check {
            return Ok(());
        }
    }
    for part in raw.split(['&', '=']) {
        match ascii_part_ok(part.as_bytes()) {
            Some(true) => continue,
            Some(false) => return Err(Error::invalid("query", "must not contain control characters")),
            None => {}
        }
        let decoded = percent_decode(part.as_bytes())
            .decode_utf8()
            .map_err(|_| Error::invalid("query", "is not valid percent-encoded UTF-8"))?;
        if decoded.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
            return Err(Error::invalid("query", "must not contain control characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_and_bad_utf8_are_refused() {
        assert!(check_path("/wiki/rest/api/group/a%2Fb%20c%C3%A9").is_ok());
        assert!(check_path("/wiki/rest/api/group/a%00b").is_err());
        assert!(check_path("/wiki/rest/api/group/%ff").is_err());
        assert!(check_query("name=a+b%2Fc&x").is_ok());
        assert!(check_query("cql=a%0Ab").is_ok());
        assert!(check_query("name=%00").is_err());
        assert!(check_query("name=%7F").is_err());
        assert!(check_query("na%C3=x").is_err());
    }

    #[test]
    fn the_ascii_shortcut_agrees_with_the_full_check() {
        let full = |part: &str| {
            percent_decode(part.as_bytes())
                .decode_utf8()
                .is_ok_and(|d| !d.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')))
        };
        let parts = [
            "abc",
            "712020%3Aab-cd",
            "%09%0D%0A",
            "%00",
            "%1f",
            "%7F",
            "%7e",
            "%",
            "%4",
            "%zz",
            "a%2",
            "+%2B",
            "%C3%A9",
            "%C2%85",
            "%ff",
            "%3a%3A%20",
            "",
        ];
        for p in parts {
            if let Some(ok) = ascii_part_ok(p.as_bytes()) {
                assert_eq!(ok, full(p), "{p}");
            } else {
                assert!(p.contains("%C") || p.contains("%f"), "{p} fell back");
            }
        }
    }
}
