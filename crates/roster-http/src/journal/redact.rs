//! Secrets out of recorded bodies. A JSON body has the value of every
//! member whose name suggests a secret (`password`, `token`, `secret`,
//! `credential`, `apiKey`, `authorization`, any case, anywhere in the
//! name) replaced, at any depth; a form body (`a=b&c=d`) the same by
//! parameter name; any other body is kept as sent. Headers are never
//! recorded, so `Authorization` and cookies never reach the journal.

use bytes::Bytes;
use serde_json::Value;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "passwd", "token", "secret", "credential", "apikey", "api_key", "authorization", "cookie"]
        .iter()
        .any(|s| n.contains(s))
}

fn redact_value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if secret_name(k) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_value(v);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_value),
        _ => {}
    }
}

fn redact_form(text: &str) -> Option<String> {
    if !text.contains('=') || text.contains(char::is_whitespace) {
        return None;
    }
    let parts: Vec<String> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if secret_name(k) => format!("{k}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect();
    Some(parts.join("&"))
}

/// `body` with its secrets replaced, cut to at most `cap` bytes (on a
/// character boundary).
pub fn redacted(body: &Bytes, cap: usize) -> Bytes {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            redact_value(&mut v);
            v.to_string()
        }
        Err(_) => match std::str::from_utf8(body).ok().and_then(redact_form) {
            Some(form) => form,
            None if body.len() <= cap => return body.clone(),
            None => return body.slice(..cap),
        },
    };
    let mut end = text.len().min(cap);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Bytes::copy_from_slice(&text.as_bytes()[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        String::from_utf8(redacted(&Bytes::copy_from_slice(s.as_bytes()), 1000).to_vec()).unwrap()
    }

    #[test]
    fn secrets_in_json_are_replaced_at_any_depth_and_the_rest_kept() {
        let out =
            r(r#"{"name":"alice","password":"hunter2","nested":{"apiToken":"t0k"},"list":[{"clientSecret":"s"}]}"#);
        assert!(!out.contains("hunter2") && !out.contains("t0k") && !out.contains("\"s\""), "{out}");
        assert!(out.contains("alice"), "{out}");
    }

    #[test]
    fn secrets_in_form_bodies_are_replaced() {
        assert_eq!(r("os_username=a&os_password=hunter2"), "os_username=a&os_password=[redacted]");
    }

    #[test]
    fn bodies_are_cut_at_the_cap_on_a_character_boundary() {
        let body = Bytes::from(format!("\"{}\"", "é".repeat(10)));
        let out = redacted(&body, 6);
        assert!(out.len() <= 6 && std::str::from_utf8(&out).is_ok());
    }
}
