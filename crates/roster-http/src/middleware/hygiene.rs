//! Input hygiene for every dialect, before routing: the percent-decoded
//! path must be UTF-8 without control characters, or the request is a 400
//! naming `path`. The query gets the same rule (tab, CR and LF excepted)
//! from its parser, which the guard runs once per request
//! (`wire/params.rs`); so no handler ever sees a name with `%00` or invalid
//! UTF-8 in it.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_and_bad_utf8_in_a_path_are_refused() {
        assert!(check_path("/wiki/rest/api/group/a%2Fb%20c%C3%A9").is_ok());
        assert!(check_path("/wiki/rest/api/group/a%00b").is_err());
        assert!(check_path("/wiki/rest/api/group/a%C2%85b").is_err());
        assert!(check_path("/wiki/rest/api/group/%ff").is_err());
    }
}
