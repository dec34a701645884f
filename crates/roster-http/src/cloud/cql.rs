//! The CQL subset roster understands for user search: clauses
//! `type = user`, `user.fullname ~ "text"`, `user.accountid = "id"` (also
//! `user = "id"`), joined with `and`. Anything else is a 400 that says what
//! was not understood.

use roster_core::{Error, Result};

/// A parsed user query.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Lower-cased words that must all appear in the full name.
    pub fullname: Vec<String>,
    pub account_id: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Op(&'static str),
}

fn tokens(cql: &str) -> Result<Vec<Tok>> {
    let mut out = Vec::new();
    let mut it = cql.chars().peekable();
    while let Some(&c) = it.peek() {
        if c.is_whitespace() {
            it.next();
        } else if c == '"' || c == '\'' {
            it.next();
            let mut s = String::new();
            loop {
                match it.next() {
                    Some('\\') => s.extend(it.next()),
                    Some(q) if q == c => break,
                    Some(ch) => s.push(ch),
                    None => return Err(bad("unterminated string")),
                }
            }
            out.push(Tok::Str(s));
        } else if c == '=' || c == '~' {
            it.next();
            out.push(Tok::Op(if c == '=' { "=" } else { "~" }));
        } else if c == '!' {
            it.next();
            return Err(bad(&format!("operator !{} is not supported", it.next().unwrap_or(' '))));
        } else {
            let mut w = String::new();
            while let Some(&ch) = it.peek() {
                if ch.is_whitespace() || "=~!\"'".contains(ch) {
                    break;
                }
                w.push(ch);
                it.next();
            }
            out.push(Tok::Word(w));
        }
    }
    Ok(out)
}

fn bad(what: &str) -> Error {
    Error::invalid("cql", format!("could not parse the query: {what}"))
}

/// Parses `cql`.
pub fn parse(cql: &str) -> Result<UserQuery> {
    let toks = tokens(cql)?;
    let mut q = UserQuery::default();
    let mut i = 0;
    if toks.is_empty() {
        return Err(bad("the query is empty"));
    }
    loop {
        let (Some(Tok::Word(field)), Some(Tok::Op(op)), Some(value)) = (toks.get(i), toks.get(i + 1), toks.get(i + 2))
        else {
            return Err(bad("expected a clause of the form field = value or field ~ value"));
        };
        let value = match value {
            Tok::Word(v) | Tok::Str(v) => v.clone(),
            Tok::Op(_) => return Err(bad("expected a value")),
        };
        match (field.to_ascii_lowercase().as_str(), *op) {
            ("type", "=") if value.eq_ignore_ascii_case("user") => {}
            ("type", _) => return Err(bad("only type = user is supported")),
            ("user.fullname", "~") => {
                q.fullname.extend(value.split_whitespace().map(|w| w.trim_matches('*').to_lowercase()));
            }
            ("user.accountid" | "user", "=") => q.account_id = Some(value),
            (f, o) => return Err(bad(&format!("field {f} with operator {o} is not supported"))),
        }
        i += 3;
        match toks.get(i) {
            None => return Ok(q),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("and") => i += 1,
            Some(_) => return Err(bad("clauses must be joined with AND")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_joined_with_and_parse() {
        let q = parse(r#"type=user and user.fullname ~ "Jo Smi""#).unwrap();
        assert_eq!(q.fullname, vec!["jo", "smi"]);
        let q = parse("type = user AND user.accountid = '712020:abc'").unwrap();
        assert_eq!(q.account_id.as_deref(), Some("712020:abc"));
        assert_eq!(parse("user.fullname~jo").unwrap().fullname, vec!["jo"]);
    }

    #[test]
    fn unsupported_or_malformed_queries_are_refused() {
        for cql in ["", "type=page", "space = X", "type=user or user.fullname~x", "user.fullname ~ \"x", "type != user"]
        {
            assert!(parse(cql).is_err(), "{cql}");
        }
    }
}
