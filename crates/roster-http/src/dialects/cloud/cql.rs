//! The CQL subset roster understands for user search: clauses
//! `type = user`, `user.fullname ~ "text"`, `user.accountid = "id"` (also
//! `user = "id"`), joined with `and`. Anything else is a 400 that says what
//! was not understood.
//!
//! A query is bounded before any work is done for it (docs/security.md,
//! "Request limits"): at most [`MAX_CHARS`] characters, [`MAX_CLAUSES`]
//! clauses and [`MAX_WORDS`] words in one `~` value. Beyond a limit the
//! answer is a 400 that names it.

use roster_core::model::name_index;
use roster_core::types::fold;
use roster_core::{Error, Result};

/// The longest query, in characters. Confluence's own people search sends a
/// few dozen; a thousand leaves room for twenty clauses with long ids.
pub const MAX_CHARS: usize = 1000;
/// The most clauses. A user query has three kinds of clause; twenty allows
/// every one several times over.
pub const MAX_CLAUSES: usize = 20;
/// The most words in one `user.fullname ~` value. A full name has a few
/// words; ten allows long ones with titles and particles.
pub const MAX_WORDS: usize = 10;

/// A parsed user query.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Case-folded words, each of which must start some word of the full
    /// name (see `roster_core::model::name_index`).
    pub fullname: Vec<String>,
    pub account_id: Option<String>,
    /// Two clauses name different account ids: nobody matches both.
    pub contradictory: bool,
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

fn over(what: String) -> Error {
    Error::invalid("cql", format!("the query is over a limit: {what}"))
}

/// Parses `cql`.
pub fn parse(cql: &str) -> Result<UserQuery> {
    // Counting characters is bounded by the URI's own limit (64 KiB), and
    // no other work is done for a query that is too long.
    let chars = cql.chars().count();
    if chars > MAX_CHARS {
        return Err(over(format!("{chars} characters, the limit is {MAX_CHARS} characters")));
    }
    let toks = tokens(cql)?;
    let mut q = UserQuery::default();
    let mut i = 0;
    let mut clauses = 0;
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
                let folded = fold(&value);
                let words: Vec<&str> = name_index::words(&folded).collect();
                if words.len() > MAX_WORDS {
                    let n = words.len();
                    return Err(over(format!("{n} words in one user.fullname value, the limit is {MAX_WORDS} words")));
                }
                q.fullname.extend(words.into_iter().map(str::to_string));
            }
            ("user.accountid" | "user", "=") => {
                q.contradictory |= q.account_id.as_ref().is_some_and(|a| *a != value);
                q.account_id = Some(value);
            }
            (f, o) => return Err(bad(&format!("field {f} with operator {o} is not supported"))),
        }
        i += 3;
        clauses += 1;
        if clauses == MAX_CLAUSES && toks.len() > i {
            return Err(over(format!("more than {MAX_CLAUSES} clauses, the limit is {MAX_CLAUSES} clauses")));
        }
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
        let q = parse(r#"type=user and user.fullname ~ "Jo Smi*""#).unwrap();
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

    #[test]
    fn queries_over_a_limit_are_refused_naming_it() {
        let long = format!("user.fullname ~ \"{}\"", "a".repeat(MAX_CHARS));
        assert!(parse(&long).unwrap_err().to_string().contains("the limit is 1000 characters"));
        let ten = format!("user.fullname ~ \"{}\"", ["w"; MAX_WORDS].join(" "));
        assert_eq!(parse(&ten).unwrap().fullname.len(), MAX_WORDS);
        let eleven = format!("user.fullname ~ \"{}\"", ["w"; MAX_WORDS + 1].join(" "));
        assert!(parse(&eleven).unwrap_err().to_string().contains("the limit is 10 words"));
        let clauses = |n: usize| vec!["type = user"; n].join(" and ");
        assert!(parse(&clauses(MAX_CLAUSES)).is_ok());
        assert!(parse(&clauses(MAX_CLAUSES + 1)).unwrap_err().to_string().contains("the limit is 20 clauses"));
        // Characters, not bytes: a thousand two-byte letters are allowed.
        let wide = format!("user.fullname~{}", "é".repeat(MAX_CHARS - 14));
        assert!(parse(&wide).is_ok());
    }

    #[test]
    fn two_different_account_ids_match_nobody() {
        assert!(parse("user = a and user.accountid = b").unwrap().contradictory);
        assert!(!parse("user = a and user.accountid = a").unwrap().contradictory);
    }
}
