//! Query-string parsing the way Confluence clients send it: `+` is a
//! space, values are percent-decoded and must be UTF-8, multi-value
//! parameters arrive repeated (`a=1&a=2`) or comma-joined (`a=1,2`), and
//! unknown parameters are ignored.
//!
//! Decoded names and values must be UTF-8 without control characters (tab,
//! CR and LF excepted, since search text may hold them): a 400 naming
//! `query` otherwise, so no handler ever sees `%00` or invalid UTF-8.
//!
//! The guard parses each request's query once ([`Params::of`]), before
//! routing, and keeps the result in the request's extensions, where the
//! handlers' extractors take it. This sits on every request (a bulk lookup
//! carries 200 ids), so the decoded names and values share one buffer, and
//! `_links` are form-encoded straight into the response.

use std::ops::Range;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use roster_core::page::Page;
use roster_core::{Error, Result};

use crate::wire::error::ApiError;

mod stops;

use stops::{Stop, Stops};

/// Parsed query parameters, in order.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// Every decoded name and value, back to back.
    text: String,
    /// (name, value) as byte ranges of `text`.
    pairs: Vec<(Range<usize>, Range<usize>)>,
    /// Whether any name or value holds a comma (most queries have none,
    /// and then no value needs splitting).
    commas: bool,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `s.trim()`, without decoding characters when `s` starts and ends with
/// visible ASCII (nearly always).
fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    match solid(s.as_bytes().first()) && solid(s.as_bytes().last()) {
        true => s,
        false => s.trim(),
    }
}

/// Whether a decoded byte may be, or start, a control character: an ASCII
/// control, DEL, or the lead byte of U+0080–U+00BF (the C1 controls among
/// them).
fn may_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F || b == 0xC2
}

/// Appends the escape at `raw[at]` decoded (`+` is a space; a `%` without
/// two hex digits after it stays as it is); returns where the rest starts.
/// Sets `suspect` when the decoded byte [`may_control`].
fn decode_one(buf: &mut Vec<u8>, raw: &[u8], at: usize, suspect: &mut bool) -> usize {
    if raw[at] == b'+' {
        buf.push(b' ');
        return at + 1;
    }
    match (raw.get(at + 1).copied().and_then(hex), raw.get(at + 2).copied().and_then(hex)) {
        (Some(hi), Some(lo)) => {
            let b = hi << 4 | lo;
            *suspect |= may_control(b);
            buf.push(b);
            at + 3
        }
        _ => {
            buf.push(b'%');
            at + 1
        }
    }
}

/// Decodes `raw[start..end]` onto `tail` if it holds an escape (see
/// [`decode_one`]) and says where in `tail` it landed; `None` when it has
/// none and can be used as it came.
fn decode_part(
    tail: &mut Vec<u8>,
    raw: &[u8],
    stops: &Stops,
    (start, end): (usize, usize),
    suspect: &mut bool,
) -> Option<Range<usize>> {
    let mut at = stops.next(Stop::Escape, start, end);
    if at == end {
        return None;
    }
    if tail.capacity() == 0 {
        // Decoding never lengthens: room for the rest of the query spares
        // a bulk lookup's escaped ids a dozen regrowths.
        tail.reserve(raw.len() - start);
    }
    let from = tail.len();
    let mut run = start;
    // An escape never reaches past `end`: `&` and `=` are not hex digits.
    while at < end {
        tail.extend_from_slice(&raw[run..at]);
        run = decode_one(tail, raw, at, suspect);
        at = stops.next(Stop::Escape, run, end);
    }
    tail.extend_from_slice(&raw[run..end]);
    Some(from..tail.len())
}

/// Which bytes `application/x-www-form-urlencoded` leaves as they are, as
/// a table: one load per byte instead of a chain of range tests.
const FORM_SAFE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z');
        b += 1;
    }
    t
};

/// Appends `s` form-encoded (space as `+`, everything else unsafe as `%XY`),
/// exactly as `form_urlencoded::byte_serialize` does.
fn form_encode_into(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = s.as_bytes();
    // Copy the runs of safe bytes whole.
    while let Some(at) = rest.iter().position(|&b| !FORM_SAFE[usize::from(b)]) {
        out.extend_from_slice(&rest[..at]);
        let b = rest[at];
        if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

/// The 400 for the first name or value of `pairs` that is not UTF-8.
fn not_utf8(buf: &[u8], pairs: &[(Range<usize>, Range<usize>)]) -> Error {
    let bad = |what: &str| Error::invalid("query", format!("parameter {what} is not valid UTF-8"));
    for (k, v) in pairs {
        if std::str::from_utf8(&buf[k.clone()]).is_err() {
            return bad("name");
        }
        if std::str::from_utf8(&buf[v.clone()]).is_err() {
            return bad(&String::from_utf8_lossy(&buf[k.clone()]));
        }
    }
    Error::invalid("query", "is not valid UTF-8")
}

impl Params {
    /// Parses a raw query string. A name or value that does not decode to
    /// UTF-8 is a 400 naming it.
    pub fn parse(query: &str) -> Result<Self> {
        let raw = query.as_bytes();
        // Names and values without escapes (most of them) are ranges of
        // the query as it came, copied once; the others are decoded into
        // `tail`, which goes after it.
        let stops = Stops::new(raw);
        let mut pairs = Vec::with_capacity(raw.len() / 32 + 2);
        let mut tail = Vec::new();
        // Only escapes can bring control characters in (the URI parser let
        // visible ASCII through, nothing else): each decoded byte that may
        // start one marks the query for the full check below.
        let mut suspect = false;
        let mut part = |start: usize, end: usize| match decode_part(&mut tail, raw, &stops, (start, end), &mut suspect)
        {
            None => start..end,
            Some(decoded) => raw.len() + decoded.start..raw.len() + decoded.end,
        };
        let mut i = 0;
        while i < raw.len() {
            let end = stops.next(Stop::Amp, i, raw.len());
            if end > i {
                let eq = stops.next(Stop::Eq, i, end);
                let value = (eq + 1).min(end)..end;
                // One look for an escape anywhere in the pair: most have none.
                pairs.push(if stops.next(Stop::Escape, i, end) == end {
                    (i..eq, value)
                } else {
                    (part(i, eq), part(value.start, value.end))
                });
            }
            i = end + 1;
        }
        // One UTF-8 check over everything decoded. A valid whole whose
        // pieces all start and end on character boundaries has valid
        // pieces; the undecoded ones are cut from a `&str` at ASCII bytes.
        let mut text = String::with_capacity(raw.len() + tail.len());
        text.push_str(query);
        match std::str::from_utf8(&tail) {
            Ok(decoded) if suspect && decoded.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) => {
                return Err(Error::invalid("query", "must not contain control characters"));
            }
            Ok(decoded) => text.push_str(decoded),
            Err(_) => return Err(not_utf8(&[raw, &tail].concat(), &pairs)),
        }
        let on_boundaries = pairs
            .iter()
            .filter(|(k, v)| k.end > raw.len() || v.end > raw.len())
            .all(|(k, v)| [k.start, k.end, v.start, v.end].into_iter().all(|at| text.is_char_boundary(at)));
        if !on_boundaries {
            return Err(not_utf8(text.as_bytes(), &pairs));
        }
        let commas = memchr::memchr(b',', text.as_bytes()).is_some();
        Ok(Params { text, pairs, commas })
    }

    /// Every (name, value) pair, decoded, in the order sent.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (&self.text[k.clone()], &self.text[v.clone()]))
    }

    /// Whether the name at `k` is `name`, compared as bytes, length first:
    /// a bulk lookup's 200 ids are 200 pairs that every lookup of another
    /// name (`limit`, `expand`) passes over.
    fn is(&self, k: &Range<usize>, name: &str) -> bool {
        k.len() == name.len() && &self.text.as_bytes()[k.clone()] == name.as_bytes()
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let (_, v) = self.pairs.iter().find(|(k, _)| self.is(k, name))?;
        Some(&self.text[v.clone()])
    }

    /// The first non-empty value of `name`, or a 400 naming it.
    pub fn required(&self, name: &'static str) -> Result<&str> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::invalid(name, "is required")),
        }
    }

    /// Every value of `name`, repeated or comma-joined, empty ones dropped.
    pub fn all<'a>(&'a self, name: &str) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(self.pairs.len());
        let mut push = |item: &'a str| {
            let item = trim(item);
            if !item.is_empty() {
                out.push(item);
            }
        };
        for (k, v) in &self.pairs {
            if !self.is(k, name) {
                continue;
            }
            let v = &self.text[v.clone()];
            // Most values hold one item: the splitter is for the others.
            if !self.commas || memchr::memchr(b',', v.as_bytes()).is_none() {
                push(v);
            } else {
                v.split(',').for_each(&mut push);
            }
        }
        out
    }

    /// Whether `name` was given at all.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| self.is(k, name))
    }

    /// A non-negative integer parameter, `default` when absent.
    pub fn count(&self, name: &'static str, default: usize) -> Result<usize> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| Error::invalid(name, "must be a non-negative integer")),
        }
    }

    /// A boolean parameter (`true`/`false`, any case), false when absent.
    pub fn flag(&self, name: &'static str) -> Result<bool> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(Error::invalid(name, "must be true or false")),
        }
    }

    /// `start`/`limit` with Confluence's defaults, the limit clamped to `max`.
    pub fn page(&self, default_limit: usize, max: usize) -> Result<Page> {
        Ok(Page::clamped(self.count("start", 0)?, self.count("limit", default_limit)?, max))
    }

    /// The request's `start` and `limit`; a `limit` above `max` is a 400.
    pub fn page_within(&self, default_limit: usize, max: usize) -> Result<Page> {
        Page::within(self.count("start", 0)?, self.count("limit", default_limit)?, max)
    }

    /// The query string again, with `start` and `limit` set to `page`.
    pub fn with_page(&self, start: usize, limit: usize) -> String {
        let mut out = Vec::new();
        self.write_with_page(&mut out, start, limit);
        // Form encoding writes ASCII only.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The most bytes [`Params::write_with_page`] writes (three out per byte
    /// in): a page reserves it up front so that its buffer never grows.
    pub fn link_len(&self) -> usize {
        let text: usize = self.pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
        3 * text + 2 * self.pairs.len() + 48
    }

    /// Appends [`Params::with_page`] to `out`. The text is ASCII without
    /// quotes or backslashes, so it can go into a JSON string as it is.
    pub fn write_with_page(&self, out: &mut Vec<u8>, start: usize, limit: usize) {
        out.reserve(self.link_len());
        for (k, v) in self.iter().filter(|(k, _)| *k != "start" && *k != "limit") {
            form_encode_into(out, k);
            out.push(b'=');
            form_encode_into(out, v);
            out.push(b'&');
        }
        out.extend_from_slice(b"start=");
        out.extend_from_slice(itoa::Buffer::new().format(start).as_bytes());
        out.extend_from_slice(b"&limit=");
        out.extend_from_slice(itoa::Buffer::new().format(limit).as_bytes());
    }
}

impl Params {
    /// The request's parameters: those the guard parsed, taken out of the
    /// extensions (one extractor per request takes them), or parsed here
    /// when no guard ran (a router called on its own).
    pub fn of(parts: &mut Parts) -> Result<Self> {
        match parts.extensions.remove::<Params>() {
            Some(p) => Ok(p),
            None => Params::parse(parts.uri.query().unwrap_or("")),
        }
    }

    /// The request's parameters without taking them (for hints read
    /// before the handler's own extractor runs).
    pub fn peek(parts: &Parts) -> Option<&Params> {
        parts.extensions.get::<Params>()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::of(parts)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_values_arrive_repeated_comma_joined_or_encoded() {
        let p = Params::parse("accountId=a&accountId=b,c&accountId=d%2Ce&x=1").unwrap();
        assert_eq!(p.all("accountId"), vec!["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn values_are_trimmed_like_str_trim() {
        for v in ["a", " a", "a ", "\u{b}a\u{b}", "\u{a0}a", "a\u{3000}", "", " ", "日本", "a\tb"] {
            assert_eq!(trim(v), v.trim(), "{v:?}");
        }
    }

    #[test]
    fn plus_is_a_space_and_percent_escapes_decode() {
        let p = Params::parse("name=team+a%2Fb%2B%25").unwrap();
        assert_eq!(p.get("name"), Some("team a/b+%"));
    }

    #[test]
    fn invalid_utf8_and_bad_numbers_are_rejected() {
        assert!(Params::parse("name=%ff").is_err());
        assert!(Params::parse("name=%00").is_err());
        assert!(Params::parse("name=%7F").is_err());
        assert!(Params::parse("name=%C2%85").is_err(), "a C1 control character");
        assert!(Params::parse("name=a%C2%A0b%E2%80%8B").is_ok(), "a no-break space is no control");
        assert!(Params::parse("cql=a%0Ab%09c%0D").is_ok(), "tab, CR and LF are search text");
        assert!(Params::parse("start=-1").unwrap().count("start", 0).is_err());
        assert_eq!(Params::parse("limit=500").unwrap().page(200, 200).unwrap().limit, 200);
    }

    /// `raw` decoded as a name or value is.
    fn decoded(raw: &str) -> Vec<u8> {
        let mut tail = Vec::new();
        match decode_part(&mut tail, raw.as_bytes(), &Stops::new(raw.as_bytes()), (0, raw.len()), &mut false) {
            Some(landed) => tail[landed].to_vec(),
            None => raw.as_bytes().to_vec(),
        }
    }

    #[test]
    fn decoding_matches_the_percent_encoding_crate() {
        let raw = ["a%", "%4", "%zz1", "%41%42+c", "%E6%97%A5", "x%2", "100%25", "%%41", "+%2B+", "plain"];
        for r in raw {
            let plus = r.replace('+', " ");
            let want = percent_encoding::percent_decode(plus.as_bytes()).decode_utf8().unwrap();
            assert_eq!(std::str::from_utf8(&decoded(r)).unwrap(), want, "{r}");
        }
        let e = Params::parse("ok=1&na%FFme=x").unwrap_err().to_string();
        assert!(e.contains("parameter name"), "{e}");
        let e = Params::parse("team=%C3%28").unwrap_err().to_string();
        assert!(e.contains("parameter team"), "{e}");
        // A character split between a name and its value, or between two
        // parameters, is valid as a whole but not piece by piece.
        let e = Params::parse("a%C3=%A9").unwrap_err().to_string();
        assert!(e.contains("parameter name"), "{e}");
        let e = Params::parse("a=%C3&%A9=b").unwrap_err().to_string();
        assert!(e.contains("parameter a"), "{e}");
        // An escape cut short by the end of its piece stays as it is.
        let p = Params::parse("a=%4&b=%2&c%=%41+").unwrap();
        assert_eq!((p.get("a"), p.get("b"), p.get("c%")), (Some("%4"), Some("%2"), Some("A ")));
        let p = Params::parse("a%C3%A9=%E6%97%A5&b=1").unwrap();
        assert_eq!((p.get("aé"), p.get("b")), (Some("日"), Some("1")));
    }

    #[test]
    fn queries_split_and_decode_like_form_urlencoded() {
        let long_id = "712020%3A".to_string() + &"ab-cd".repeat(9);
        let queries = [
            String::new(),
            "a".into(),
            "&&a=1&&b=&=c&".into(),
            "name=a+b%2Fc%C3%A9&x=%&y=%4&z=1%2".into(),
            "k==v=w&a%3Db=c%26d&e+f=g+h".into(),
            (0..200).map(|i| format!("accountId={long_id}{i}")).collect::<Vec<_>>().join("&"),
            (0..50).map(|i| format!("accountId=5b10ac8d82e05b22cc7d4e{i:02}&limit={i}")).collect::<Vec<_>>().join("&"),
        ];
        for q in &queries {
            let p = Params::parse(q).unwrap();
            let want: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            let got: Vec<(String, String)> = p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            assert_eq!(got, want, "{q}");
        }
    }

    #[test]
    fn thousands_of_made_up_queries_split_and_decode_like_form_urlencoded() {
        // Pieces that stop or start decoding, valid and broken escapes, and
        // halves of a two-byte character, strung together at random (a
        // fixed xorshift, so a failure repeats) into queries from empty to
        // a few hundred bytes, across the 64-byte words of the stop bits.
        let pieces = ["a", "bc", "=", "&", "+", "%", "%41", "%3D", "%26", "%2", "%C3%A9", "%C3", "%A9", "é", "4F", ","];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let len = next() % 120;
            let q: String = (0..len).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
            let want: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            match Params::parse(&q) {
                Ok(p) => {
                    let got: Vec<(String, String)> = p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    assert_eq!(got, want, "{q}");
                }
                Err(_) => assert!(want.iter().any(|(k, v)| (k.clone() + v).contains('\u{FFFD}')), "{q}"),
            }
        }
    }

    #[test]
    fn every_character_is_form_encoded_like_form_urlencoded() {
        let text: String = (0u8..128).map(char::from).chain("é日本\u{1F600}".chars()).collect();
        let mut out = Vec::new();
        form_encode_into(&mut out, &text);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        );
    }

    #[test]
    fn links_are_form_encoded_like_form_urlencoded() {
        let q = "name=a+b%2Fc%C3%A9*~!&start=5&empty=&limit=9&x%3Dy=%26&accountId=712020%3Aab-cd";
        let p = Params::parse(q).unwrap();
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in p.iter().filter(|(k, _)| *k != "start" && *k != "limit") {
            s.append_pair(k, v);
        }
        assert_eq!(p.with_page(10, 20), format!("{}&start=10&limit=20", s.finish()));
        assert_eq!(Params::parse("").unwrap().with_page(0, 200), "start=0&limit=200");
    }
}
