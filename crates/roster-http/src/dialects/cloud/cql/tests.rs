use super::*;
use UserFilter::*;

fn accounts(ids: &[&str]) -> UserFilter {
    Accounts(ids.iter().map(|s| s.to_string()).collect())
}

fn words(ws: &[&str]) -> UserFilter {
    NameWords(ws.iter().map(|s| s.to_string()).collect())
}

#[test]
fn clauses_joined_with_and_parse() {
    assert_eq!(
        parse(r#"type=user and user.fullname ~ "Jo Smi*""#).unwrap(),
        All(vec![Everyone, words(&["jo", "smi"])])
    );
    assert_eq!(
        parse("type = user AND user.accountid = '712020:abc'").unwrap(),
        All(vec![Everyone, accounts(&["712020:abc"])])
    );
    assert_eq!(parse("user.fullname~jo").unwrap(), words(&["jo"]));
}

#[test]
fn the_operators_atlassian_lists_parse() {
    // The examples of the operation's description, curly quotes included.
    assert_eq!(parse("user IN (“12”, “34\")").unwrap(), accounts(&["12", "34"]));
    assert_eq!(parse("user=“1234”").unwrap(), accounts(&["1234"]));
    assert_eq!(parse("user != a").unwrap(), Not(Box::new(accounts(&["a"]))));
    assert_eq!(parse("user.accountid not in (a, 'b')").unwrap(), Not(Box::new(accounts(&["a", "b"]))));
    assert_eq!(parse("user.fullname !~ jo").unwrap(), Not(Box::new(words(&["jo"]))));
    assert_eq!(parse(r#"user.fullname in ("Ada Lovelace")"#).unwrap(), NameIs(vec!["Ada Lovelace".into()]));
    assert_eq!(parse("type in (user)").unwrap(), Everyone);
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_group() {
    assert_eq!(
        parse("user = a or user = b and user.fullname ~ c").unwrap(),
        Any(vec![accounts(&["a"]), All(vec![accounts(&["b"]), words(&["c"])])])
    );
    assert_eq!(
        parse("(user = a or user = b) and not user.fullname ~ c").unwrap(),
        All(vec![Any(vec![accounts(&["a"]), accounts(&["b"])]), Not(Box::new(words(&["c"])))])
    );
}

#[test]
fn unsupported_or_malformed_queries_are_refused() {
    for cql in [
        "",
        "type=page",
        "space = X",
        "user.fullname ~ \"x",
        "type != user",
        "user ~ a",
        "user in a",
        "user in (a b)",
        "(user = a",
        "user = a)",
        "user = a user = b",
        "user.email = x",
        "user !! a",
    ] {
        assert!(parse(cql).is_err(), "{cql}");
    }
}

#[test]
fn queries_over_a_limit_are_refused_naming_it() {
    let long = format!("user.fullname ~ \"{}\"", "a".repeat(MAX_CHARS));
    assert!(parse(&long).unwrap_err().to_string().contains("the limit is 1000 characters"));
    let ten = format!("user.fullname ~ \"{}\"", ["w"; MAX_WORDS].join(" "));
    assert!(parse(&ten).is_ok());
    let eleven = format!("user.fullname ~ \"{}\"", ["w"; MAX_WORDS + 1].join(" "));
    assert!(parse(&eleven).unwrap_err().to_string().contains("the limit is 10 words"));
    let clauses = |n: usize| vec!["type = user"; n].join(" and ");
    assert!(parse(&clauses(MAX_CLAUSES)).is_ok());
    assert!(parse(&clauses(MAX_CLAUSES + 1)).unwrap_err().to_string().contains("the limit is 20 clauses"));
    let nested = |n: usize| format!("{}user = a{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&nested(MAX_DEPTH - 1)).is_ok());
    assert!(parse(&nested(MAX_DEPTH)).unwrap_err().to_string().contains("the limit is 8 levels"));
    assert!(parse(&format!("{}user = a", "not ".repeat(MAX_DEPTH))).unwrap_err().to_string().contains("levels"));
    // Characters, not bytes: a thousand two-byte letters are allowed.
    let wide = format!("user.fullname~{}", "é".repeat(MAX_CHARS - 14));
    assert!(parse(&wide).is_ok());
}
