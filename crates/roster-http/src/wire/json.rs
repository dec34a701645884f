//! JSON answers: wire types serialized into a pooled buffer, string
//! escaping for the hand-written hot paths, and the response wrapper with
//! the JSON content type.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response};

/// A 200 response carrying `body` as `application/json`.
pub fn json_response(body: Vec<u8>) -> Response<Body> {
    let mut r = Response::new(Body::from(crate::wire::buffers::into_body(body)));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    r
}

/// `value` as JSON, in a pooled buffer with room for `capacity` bytes. The
/// wire types hold only strings, numbers, booleans and structs, which
/// always serialize; a failure would be a bug, answered as a 500.
pub fn serialized(value: &impl serde::Serialize, capacity: usize) -> roster_core::Result<Vec<u8>> {
    let mut out = crate::wire::buffers::take(capacity);
    serde_json::to_writer(&mut out, value).map_err(|e| roster_core::Error::Internal(e.into()))?;
    Ok(out)
}

/// Appends `s` as a JSON string literal (with quotes).
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    escape(out, s);
    out.push(b'"');
}

/// Appends the escaped contents of `s` (without quotes).
pub fn escape(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most text needs no escaping: find out in a pass without branches
    // (which the compiler vectorises), then copy it whole.
    if !bytes.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
        return out.extend_from_slice(bytes);
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            // As serde_json writes them, so that the hand-written answers
            // and the serialized ones agree byte for byte.
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends an integer.
pub fn int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_matches_serde_json() {
        for s in ["plain", "quo\"te", "back\\slash", "new\nline", "ctl\u{1}x", "bs\u{8}ff\u{c}", "é日本", ""] {
            let mut out = Vec::new();
            super::string(&mut out, s);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(s).unwrap());
        }
    }
}
