//! The CQL roster understands for user search: clauses on `type` (`= user`),
//! `user` / `user.accountid` (`=`, `!=`, `IN`, `NOT IN`) and
//! `user.fullname` (`~`, `!~`, `=`, `!=`, `IN`, `NOT IN`), combined with
//! `and`, `or`, `not` and parentheses (`and` binds tighter than `or`).
//! Anything else is a 400 that says what was not understood.
//!
//! A query is bounded before any work is done for it (docs/security.md,
//! "Request limits"): at most [`MAX_CHARS`] characters, [`MAX_CLAUSES`]
//! clauses, [`MAX_DEPTH`] levels of parentheses and [`MAX_WORDS`] words in
//! one `~` value. Beyond a limit the answer is a 400 that names it.

use roster_core::model::name_index;
use roster_core::model::UserFilter;
use roster_core::types::fold;
use roster_core::{Error, Result};

/// The longest query, in characters. Confluence's own people search sends a
/// few dozen; a thousand leaves room for twenty clauses with long ids.
pub const MAX_CHARS: usize = 1000;
/// The most clauses (an `IN` list is one clause). A user query has three
/// fields; twenty allows every one several times over.
pub const MAX_CLAUSES: usize = 20;
/// The deepest nesting of parentheses and `not`s.
pub const MAX_DEPTH: usize = 8;
/// The most words in one `user.fullname ~` value. A full name has a few
/// words; ten allows long ones with titles and particles.
pub const MAX_WORDS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn tokens(cql: &str) -> Result<Vec<Tok>> {
    let mut out = Vec::new();
    let mut it = cql.chars().peekable();
    while let Some(&c) = it.peek() {
        it.next();
        match c {
            c if c.is_whitespace() => {}
            '"' | '\'' | '“' | '”' => {
                let close = if c == '“' { '”' } else { c };
                let mut s = String::new();
                loop {
                    match it.next() {
                        Some('\\') => s.extend(it.next()),
                        Some(q) if q == close || (close == '”' && q == '"') => break,
                        Some(ch) => s.push(ch),
                        None => return Err(bad("unterminated string")),
                    }
                }
                out.push(Tok::Str(s));
            }
            '=' => out.push(Tok::Op("=")),
            '~' => out.push(Tok::Op("~")),
            '!' => match it.next() {
                Some('=') => out.push(Tok::Op("!=")),
                Some('~') => out.push(Tok::Op("!~")),
                other => return Err(bad(&format!("operator !{} is not supported", other.unwrap_or(' ')))),
            },
            '(' => out.push(Tok::Open),
            ')' => out.push(Tok::Close),
            ',' => out.push(Tok::Comma),
            _ => {
                let mut w = String::from(c);
                while let Some(&ch) = it.peek() {
                    if ch.is_whitespace() || "=~!\"'(),“”".contains(ch) {
                        break;
                    }
                    w.push(ch);
                    it.next();
                }
                out.push(Tok::Word(w));
            }
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

/// Parses `cql` into the filter it asks for.
pub fn parse(cql: &str) -> Result<UserFilter> {
    // Counting characters is bounded by the URI's own limit (64 KiB), and
    // no other work is done for a query that is too long.
    let chars = cql.chars().count();
    if chars > MAX_CHARS {
        return Err(over(format!("{chars} characters, the limit is {MAX_CHARS} characters")));
    }
    let toks = tokens(cql)?;
    if toks.is_empty() {
        return Err(bad("the query is empty"));
    }
    let mut p = Parser { toks, at: 0, clauses: 0 };
    let f = p.or(0)?;
    match p.peek() {
        None => Ok(f),
        Some(Tok::Close) => Err(bad("a ) without its (")),
        Some(_) => Err(bad("clauses must be joined with AND or OR")),
    }
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    clauses: usize,
}

fn keyword(t: Option<&Tok>, k: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self, depth: usize) -> Result<UserFilter> {
        let mut any = vec![self.and(depth)?];
        while keyword(self.peek(), "or") {
            self.at += 1;
            any.push(self.and(depth)?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { UserFilter::Any(any) })
    }

    fn and(&mut self, depth: usize) -> Result<UserFilter> {
        let mut all = vec![self.unary(depth)?];
        while keyword(self.peek(), "and") {
            self.at += 1;
            all.push(self.unary(depth)?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { UserFilter::All(all) })
    }

    fn unary(&mut self, depth: usize) -> Result<UserFilter> {
        if depth >= MAX_DEPTH {
            return Err(over(format!("more than {MAX_DEPTH} levels of nesting, the limit is {MAX_DEPTH} levels")));
        }
        if keyword(self.peek(), "not") {
            self.at += 1;
            return Ok(UserFilter::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            let f = self.or(depth + 1)?;
            return match self.next() {
                Some(Tok::Close) => Ok(f),
                _ => Err(bad("a ( without its )")),
            };
        }
        self.clause()
    }

    fn clause(&mut self) -> Result<UserFilter> {
        let Some(Tok::Word(field)) = self.next() else {
            return Err(bad("expected a clause of the form field = value or field ~ value"));
        };
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES {
            return Err(over(format!("more than {MAX_CLAUSES} clauses, the limit is {MAX_CLAUSES} clauses")));
        }
        let op = match self.next() {
            Some(Tok::Op(op)) => op,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => "in",
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") && keyword(self.peek(), "in") => {
                self.at += 1;
                "not in"
            }
            _ => return Err(bad(&format!("expected an operator after {field}"))),
        };
        let values = if op.ends_with("in") { self.list()? } else { vec![self.value()?] };
        let field = field.to_ascii_lowercase();
        let negated = matches!(op, "!=" | "!~" | "not in");
        let filter = match (field.as_str(), op) {
            ("type", "=" | "in") if values.iter().all(|v| v.eq_ignore_ascii_case("user")) => UserFilter::Everyone,
            ("type", _) => return Err(bad("only type = user is supported")),
            ("user.fullname", "~" | "!~") => UserFilter::NameWords(name_words(&values[0])?),
            ("user.fullname", _) => UserFilter::NameIs(values),
            ("user.accountid" | "user", "=" | "!=" | "in" | "not in") => UserFilter::Accounts(values),
            (f, o) => return Err(bad(&format!("field {f} with operator {o} is not supported"))),
        };
        Ok(if negated { UserFilter::Not(Box::new(filter)) } else { filter })
    }

    fn value(&mut self) -> Result<String> {
        match self.next() {
            Some(Tok::Word(v) | Tok::Str(v)) => Ok(v),
            _ => Err(bad("expected a value")),
        }
    }

    fn list(&mut self) -> Result<Vec<String>> {
        if self.next() != Some(Tok::Open) {
            return Err(bad("expected ( after IN"));
        }
        let mut values = vec![self.value()?];
        loop {
            match self.next() {
                Some(Tok::Comma) => values.push(self.value()?),
                Some(Tok::Close) => return Ok(values),
                _ => return Err(bad("expected , or ) in an IN list")),
            }
        }
    }
}

/// The folded words of a `~` value, each of which must start some word of
/// the full name (see `roster_core::model::name_index`).
fn name_words(value: &str) -> Result<Vec<String>> {
    let folded = fold(value);
    let words: Vec<String> = name_index::words(&folded).map(str::to_string).collect();
    if words.len() > MAX_WORDS {
        let n = words.len();
        return Err(over(format!("{n} words in one user.fullname value, the limit is {MAX_WORDS} words")));
    }
    Ok(words)
}

#[cfg(test)]
mod tests;
