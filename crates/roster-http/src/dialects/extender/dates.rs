//! Extender's `dateFormat`: Java `SimpleDateFormat` patterns (`yyyy-MM-dd`,
//! `MM/dd/yyyy`, `dd.MM.yyyy HH:mm:ss`, `EEE, d MMM yyyy`, ...), rendered
//! in UTC with English (US locale) names and US week rules (weeks start on
//! Sunday; week 1 is the week containing 1 January). A pattern Java would
//! reject (an unknown letter, an unterminated quote, `XXXX`) is a 400, and
//! so is a pattern over [`MAX_PATTERN`] characters: a field is padded to
//! as many digits as its letter repeats, so the pattern's length is what
//! every date of every user on a page costs.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use roster_core::{Error, Result};

/// What the Extender answers with when no `dateFormat` is given. The vendor
/// page says `yyyy-MM-dd`, but a live Extender answers with date and time;
/// roster follows the live server.
pub const DEFAULT_PATTERN: &str = "yyyy-MM-dd HH:mm:ss";

/// The longest pattern, in characters. The default is 19 and Java's longest
/// documented example about 30; a hundred leaves room for quoted text.
pub const MAX_PATTERN: usize = 100;

const LETTERS: &str = "GyYMLwWDdFEuaHkKhmsSzZX";
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    Field(char, usize),
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    items: Vec<Item>,
}

fn bad(reason: String) -> Error {
    Error::invalid("dateFormat", reason)
}

impl DateFormat {
    /// Parses a `SimpleDateFormat` pattern.
    pub fn parse(pattern: &str) -> Result<Self> {
        let chars: Vec<char> = pattern.chars().take(MAX_PATTERN + 1).collect();
        if chars.len() > MAX_PATTERN {
            let n = pattern.chars().count();
            return Err(bad(format!("is {n} characters long, the limit is {MAX_PATTERN} characters")));
        }
        let mut items = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    lit.push('\'');
                    i += 2;
                    continue;
                }
                // Quoted text up to the closing quote; '' inside is a quote.
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad(format!("unterminated quote in pattern '{pattern}'"))),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&q) => {
                            lit.push(q);
                            i += 1;
                        }
                    }
                }
            } else if c.is_ascii_alphabetic() {
                if !LETTERS.contains(c) {
                    return Err(bad(format!("illegal pattern character '{c}' in '{pattern}'")));
                }
                let mut n = 1;
                while chars.get(i + n) == Some(&c) {
                    n += 1;
                }
                if c == 'X' && n > 3 {
                    return Err(bad(format!("invalid ISO 8601 format: length={n} in '{pattern}'")));
                }
                if !lit.is_empty() {
                    items.push(Item::Literal(std::mem::take(&mut lit)));
                }
                items.push(Item::Field(c, n));
                i += n;
            } else {
                lit.push(c);
                i += 1;
            }
        }
        if !lit.is_empty() {
            items.push(Item::Literal(lit));
        }
        Ok(DateFormat { items })
    }

    /// The pattern for a request's `dateFormat` value (absent or empty: the
    /// default).
    pub fn from_param(value: Option<&str>) -> Result<Self> {
        match value {
            Some(v) if !v.is_empty() => Self::parse(v),
            _ => Self::parse(DEFAULT_PATTERN),
        }
    }

    /// Formats epoch milliseconds.
    pub fn format(&self, ms: i64) -> String {
        let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) else { return String::new() };
        let mut out = String::with_capacity(24);
        for item in &self.items {
            match item {
                Item::Literal(s) => out.push_str(s),
                Item::Field(c, n) => field(&mut out, &t, *c, *n),
            }
        }
        out
    }
}

fn num(out: &mut String, v: i64, width: usize) {
    out.push_str(&format!("{v:0width$}"));
}

fn text(out: &mut String, full: &str, n: usize) {
    out.push_str(if n >= 4 { full } else { &full[..3] });
}

/// Sunday-based weekday (Sunday = 0).
fn sunday0(d: NaiveDate) -> i64 {
    i64::from(d.weekday().num_days_from_sunday())
}

/// US week of year and its week-based year.
fn us_week(d: NaiveDate) -> (i64, i64) {
    let week_start = d - chrono::Duration::days(sunday0(d));
    let next_jan1 = NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d);
    if week_start + chrono::Duration::days(6) >= next_jan1 {
        return (1, i64::from(d.year()) + 1);
    }
    let jan1 = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
    ((i64::from(d.ordinal0()) + sunday0(jan1)) / 7 + 1, i64::from(d.year()))
}

fn year(out: &mut String, y: i64, n: usize) {
    if n == 2 {
        num(out, y.rem_euclid(100), 2);
    } else {
        num(out, y, n);
    }
}

fn field(out: &mut String, t: &DateTime<Utc>, c: char, n: usize) {
    let d = t.date_naive();
    let hour = i64::from(t.hour());
    match c {
        'G' => out.push_str(if d.year() > 0 { "AD" } else { "BC" }),
        'y' => year(out, i64::from(d.year()), n),
        'Y' => year(out, us_week(d).1, n),
        'M' | 'L' if n >= 3 => text(out, MONTHS[d.month0() as usize], n),
        'M' | 'L' => num(out, i64::from(d.month()), n),
        'w' => num(out, us_week(d).0, n),
        'W' => {
            let first = d.with_day(1).unwrap_or(d);
            num(out, (i64::from(d.day0()) + sunday0(first)) / 7 + 1, n)
        }
        'D' => num(out, i64::from(d.ordinal()), n),
        'd' => num(out, i64::from(d.day()), n),
        'F' => num(out, i64::from(d.day0()) / 7 + 1, n),
        'E' => text(out, DAYS[sunday0(d) as usize], n),
        'u' => num(out, i64::from(d.weekday().number_from_monday()), n),
        'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
        'H' => num(out, hour, n),
        'k' => num(out, if hour == 0 { 24 } else { hour }, n),
        'K' => num(out, hour % 12, n),
        'h' => num(out, if hour % 12 == 0 { 12 } else { hour % 12 }, n),
        'm' => num(out, i64::from(t.minute()), n),
        's' => num(out, i64::from(t.second()), n),
        'S' => num(out, i64::from(t.timestamp_subsec_millis()), n),
        'z' => out.push_str(if n >= 4 { "Coordinated Universal Time" } else { "UTC" }),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2020-05-24T06:49:27.994Z, a Sunday (the vendor example's instant).
    const T: i64 = 1_590_302_967_994;

    fn f(p: &str, ms: i64) -> String {
        DateFormat::parse(p).unwrap().format(ms)
    }

    #[test]
    fn the_documented_patterns_render_like_java() {
        assert_eq!(f("yyyy-MM-dd", T), "2020-05-24");
        assert_eq!(f("MM/dd/yyyy", T), "05/24/2020");
        assert_eq!(f("dd.MM.yyyy HH:mm:ss", T), "24.05.2020 06:49:27");
        assert_eq!(f(DEFAULT_PATTERN, T), "2020-05-24 06:49:27");
    }

    #[test]
    fn names_quotes_and_twelve_hour_clocks_follow_simple_date_format() {
        assert_eq!(f("EEE, d MMM yy", T), "Sun, 24 May 20");
        assert_eq!(f("EEEE d MMMM yyyy G", T), "Sunday 24 May 2020 AD");
        assert_eq!(f("h:mm a 'o''clock' z", T), "6:49 AM o'clock UTC");
        assert_eq!(f("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", T), "2020-05-24T06:49:27.994Z");
        assert_eq!(f("K k Z u F D", 0), "0 24 +0000 4 1 1");
        assert_eq!(f("''", T), "'");
    }

    #[test]
    fn us_week_numbers_roll_into_the_next_year() {
        // 2019-12-31 (Tuesday) is in the week that holds 1 January 2020.
        let ms = 1_577_750_400_000;
        assert_eq!(f("YYYY-ww", ms), "2020-01");
        assert_eq!(f("w W", T), "22 5");
    }

    #[test]
    fn patterns_java_rejects_are_invalid() {
        for p in ["yyyy-MM-dd qq", "'unterminated", "XXXX", "yyyy-bb"] {
            assert!(DateFormat::parse(p).is_err(), "{p}");
        }
        assert!(DateFormat::parse("日付 yyyy").is_ok());
    }

    #[test]
    fn patterns_over_the_limit_are_invalid_naming_it() {
        let at = "y".repeat(MAX_PATTERN);
        assert_eq!(f(&at, T).len(), MAX_PATTERN, "a field pads to its letter count");
        let e = DateFormat::parse(&"y".repeat(40_000)).unwrap_err().to_string();
        assert!(e.contains("40000 characters long, the limit is 100 characters"), "{e}");
        assert!(DateFormat::parse(&"日".repeat(MAX_PATTERN)).is_ok(), "characters, not bytes");
    }
}
