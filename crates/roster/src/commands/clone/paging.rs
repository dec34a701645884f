//! Walking a paged list to its end. Confluence pages in two ways: Cloud and
//! Data Center's `start`/`limit` with `results` and `_links.next`, and the
//! Extender's `startAt`/`maxResults` with `total`. A site may give fewer
//! items than asked (Data Center caps pages at 200 whatever the limit), so
//! the next page starts after the items received, and an empty page ends
//! the walk whatever the links say (some versions keep a `next` link past
//! the end).

use serde_json::Value;

use super::http::{Client, FetchError};
use super::progress::{Items, Progress};

/// One paged list.
pub struct Walk {
    /// Path and query without the paging parameters.
    pub path: String,
    start: &'static str,
    limit: &'static str,
    size: usize,
    /// The field of the answer holding the page's items.
    items: &'static str,
    /// What the items are, for the progress counts.
    pub counts: Items,
}

impl Walk {
    /// A Cloud or Data Center collection: `start`, `limit`, `results`.
    pub fn results(path: impl Into<String>, size: usize, counts: Items) -> Self {
        Walk { path: path.into(), start: "start", limit: "limit", size, items: "results", counts }
    }

    /// An Extender list: `startAt`, `maxResults`, and the items under `items`.
    pub fn extender(path: impl Into<String>, items: &'static str, counts: Items) -> Self {
        Walk { path: path.into(), start: "startAt", limit: "maxResults", size: 1000, items, counts }
    }

    /// Calls `each` with every item of every page, in order.
    pub async fn each(
        &self,
        client: &Client<'_>,
        progress: &Progress<'_>,
        mut each: impl FnMut(&Value),
    ) -> Result<(), FetchError> {
        let sep = if self.path.contains('?') { '&' } else { '?' };
        let mut start = 0usize;
        loop {
            let path = format!("{}{sep}{}={start}&{}={}", self.path, self.start, self.limit, self.size);
            let page = client.get_json(&path).await?;
            let Some(items) = page.get(self.items).and_then(Value::as_array) else {
                return Err(FetchError::NotJson {
                    url: client.url(&path),
                    status: 200,
                    content_type: format!("JSON without `{}`", self.items),
                });
            };
            items.iter().for_each(&mut each);
            progress.page(self.counts, items.len());
            if items.is_empty() {
                return Ok(());
            }
            start += items.len();
            if !more(&page, start, items.len(), self.size) {
                return Ok(());
            }
        }
    }
}

/// Whether a page that ended at `start` (having held `n` items) has a next one.
fn more(page: &Value, start: usize, n: usize, asked: usize) -> bool {
    let total = ["total", "totalSize", "totalCount"].iter().find_map(|k| page.get(*k).and_then(Value::as_u64));
    if let Some(total) = total {
        return (start as u64) < total;
    }
    // The limit the site applied, which may be below the one asked.
    let limit = ["limit", "maxResults"].iter().find_map(|k| page.get(*k).and_then(Value::as_u64));
    let full = n as u64 >= limit.unwrap_or(asked as u64).max(1);
    page.pointer("/_links/next").is_some_and(Value::is_string) || full
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::more;

    #[test]
    fn a_walk_goes_on_while_the_total_or_a_full_page_or_a_next_link_says_so() {
        assert!(more(&json!({"total": 450}), 400, 200, 1000));
        assert!(!more(&json!({"total": 400}), 400, 200, 1000));
        assert!(more(&json!({"limit": 200, "_links": {}}), 200, 200, 1000), "a capped but full page");
        assert!(!more(&json!({"limit": 200, "_links": {}}), 150, 150, 200));
        assert!(more(&json!({"limit": 200, "_links": {"next": "/x?start=200"}}), 150, 150, 200));
    }
}
