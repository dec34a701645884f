//! Offset pagination as Confluence does it: `start`/`limit` in, the items,
//! the effective limit and whether more exist out.

/// The largest page any roster endpoint returns.
pub const MAX_LIMIT: usize = 200;

/// A requested page: `start` items skipped, at most `limit` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start: usize,
    pub limit: usize,
}

impl Page {
    /// A page whose limit is clamped to `max` (the effective limit that is
    /// echoed back to the caller).
    pub fn clamped(start: usize, limit: usize, max: usize) -> Self {
        Page { start, limit: limit.min(max) }
    }

    /// A page whose limit may not exceed `max`: for the endpoints whose
    /// documentation answers a larger limit with 400 instead of capping it.
    pub fn within(start: usize, limit: usize, max: usize) -> crate::Result<Self> {
        if limit > max {
            return Err(crate::Error::invalid("limit", format!("{limit} is greater than {max}")));
        }
        Ok(Page { start, limit })
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice<T> {
    pub items: Vec<T>,
    /// The effective page that produced these items.
    pub page: Page,
    /// Whether at least one more item exists after this page.
    pub has_more: bool,
    /// Total number of items across all pages.
    pub total: usize,
}

impl<T> Slice<T> {
    /// Pages an exact-size iterator that knows its total length.
    pub fn from_iter<I: Iterator<Item = T>>(total: usize, page: Page, iter: I) -> Self {
        let items: Vec<T> = iter.skip(page.start).take(page.limit).collect();
        let has_more = page.start.saturating_add(items.len()) < total && page.limit > 0;
        Slice { items, page, has_more, total }
    }
}
