//! What a clone tells the person waiting, on stderr: a line when a part
//! starts, one every N pages with the counts so far, one per retry, and
//! the totals. Not a line per request: a site of 100,000 users is
//! thousands of them.

use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::io::Write;
use std::time::{Duration, Instant};

use super::site::Site;

/// Counts and the writer; shared by the readers of one clone (all on one task).
pub struct Progress<'a> {
    out: RefCell<&'a mut dyn Write>,
    every: u64,
    started: Instant,
    pages: Cell<u64>,
    retries: Cell<u64>,
    users: Cell<u64>,
    groups: Cell<u64>,
    memberships: Cell<u64>,
}

/// What a page held.
#[derive(Debug, Clone, Copy)]
pub enum Items {
    Users,
    Groups,
    Memberships,
    /// E-mail addresses and other lookups: counted as pages only.
    Other,
}

impl<'a> Progress<'a> {
    pub fn new(out: &'a mut dyn Write, every: u64) -> Self {
        Progress {
            out: RefCell::new(out),
            every: every.max(1),
            started: Instant::now(),
            pages: Cell::new(0),
            retries: Cell::new(0),
            users: Cell::new(0),
            groups: Cell::new(0),
            memberships: Cell::new(0),
        }
    }

    /// Writes `roster: clone: MESSAGE`. Progress that cannot be shown is
    /// no reason to stop a clone, so write errors are ignored.
    pub fn line(&self, message: impl Display) {
        let _ = writeln!(self.out.borrow_mut(), "roster: clone: {message}");
    }

    /// A page of `n` items was read.
    pub fn page(&self, items: Items, n: usize) {
        let counter = match items {
            Items::Users => Some(&self.users),
            Items::Groups => Some(&self.groups),
            Items::Memberships => Some(&self.memberships),
            Items::Other => None,
        };
        if let Some(c) = counter {
            c.set(c.get() + n as u64);
        }
        self.pages.set(self.pages.get() + 1);
        if self.pages.get().is_multiple_of(self.every) {
            self.line(format_args!("{} so far", self.counts()));
        }
    }

    /// A request is tried again after `wait`.
    pub fn retry(&self, path: &str, why: &str, wait: Duration, attempt: u32, of: u32) {
        self.retries.set(self.retries.get() + 1);
        self.line(format_args!(
            "GET {path}: {why}; trying again in {:.1}s (attempt {} of {of})",
            wait.as_secs_f64(),
            attempt + 1
        ));
    }

    /// The totals of a site read completely.
    pub fn finished(&self, site: &Site) {
        self.line(format_args!(
            "read {} users, {} groups, {} memberships in {} pages, {} retries, {:.1}s",
            thousands(site.users.len() as u64),
            thousands(site.groups.len() as u64),
            thousands(site.membership_count() as u64),
            thousands(self.pages.get()),
            self.retries.get(),
            self.started.elapsed().as_secs_f64()
        ));
    }

    fn counts(&self) -> String {
        format!(
            "{} pages: {} users, {} groups, {} memberships read; {} retries ({:.1}s)",
            thousands(self.pages.get()),
            thousands(self.users.get()),
            thousands(self.groups.get()),
            thousands(self.memberships.get()),
            self.retries.get(),
            self.started.elapsed().as_secs_f64()
        )
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(10_000), "10,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
