//! Reading paged collections: a window of pages in flight, the end at a short or empty page, a
//! bound on the number of pages, and one re-read of a collection that changed while it was read.

use super::Client;
use anyhow::{bail, Result};
use futures::future::try_join_all;
use serde_json::Value;
use std::collections::HashSet;

impl Client {
    /// Every item of a paged collection, however many pages the server splits it into.
    pub async fn list_all(&self, path: &str) -> Result<Vec<Value>> {
        // A collection that changes while it is read (or orders ties unstably) can shift items
        // between pages; one re-read settles it, a second shortfall is reported.
        let mut last_short = None;
        for _ in 0..2 {
            let (items, total) = self.read_pages(path).await?;
            if items.len() as u64 >= total {
                return Ok(items);
            }
            last_short = Some((items.len(), total));
        }
        let (got, total) = last_short.unwrap_or_default();
        bail!(
            "{} {path}: the server reported {total} items (TotalResults) but its pages held {got}, twice; if the collection was changing, run again; if it persists, the server at {} (or a proxy in front of it) miscounts or pages wrongly",
            self.role,
            self.base_url
        )
    }

    /// One read of every page: the distinct items and the total the server reported.
    ///
    /// The read ends at the first short or empty page, or a page with nothing new (a server that
    /// ignores `skip`). `TotalResults` never ends a read (a server or proxy that under-reports it
    /// would silently hide items) and never sizes anything; it only says whether a short first
    /// page is a server capping `take` rather than the end, and how many pages to ask for at once.
    async fn read_pages(&self, path: &str) -> Result<(Vec<Value>, u64)> {
        let take = self.options.page_size.max(1);
        let first = self.get(&page_url(path, 0, take)).await?;
        let Some(total) = first.get("TotalResults").and_then(Value::as_u64) else {
            bail!(
                "{} {path}: expected a paged collection with TotalResults; is this an Octopus Server?",
                self.role
            );
        };
        let mut read = PagedItems::default();
        // The first page's length is the page size the server honours (it may cap `take`).
        let step = read.add(items_of(first, path)?);
        let mut pages = 1;
        let mut skip = step;
        let mut more = step > 0 && (step >= take || (step as u64) < total);
        while more {
            // A window of pages in flight (the limiter bounds the requests), never more than the
            // limit of the moment (asking for more only queues them) and never more than
            // TotalResults says are left.
            let left = total.saturating_sub(skip as u64).div_ceil(step as u64).max(1);
            let room = self.options.max_pages.saturating_sub(pages);
            let window = (self.limiter.limit().max(1) as u64).min(left).min(room as u64) as usize;
            if window == 0 {
                bail!(
                    "{} {path}: still not at the end after {pages} pages ({} items), and octosync reads at most {} pages of one collection. If the {} space really holds this many {}, that is more than octosync supports; otherwise the server at {} (or a proxy in front of it) keeps inventing pages: check it",
                    self.role,
                    read.items.len(),
                    self.options.max_pages,
                    self.role,
                    collection_name(path),
                    self.base_url
                );
            }
            let batch = try_join_all((0..window).map(|i| {
                let url = page_url(path, skip + i * step, take);
                async move { items_of(self.get(&url).await?, path) }
            }))
            .await?;
            for page in batch {
                pages += 1;
                skip += step;
                let len = page.len();
                let fresh = read.add(page);
                if len < step || fresh == 0 {
                    more = false;
                    break;
                }
            }
        }
        Ok((read.items, total))
    }
}

/// The items of one read of a paged collection, each id once.
#[derive(Default)]
struct PagedItems {
    items: Vec<Value>,
    seen: HashSet<String>,
}

impl PagedItems {
    /// Adds a page and returns how many of its items were new (items without an id always are).
    fn add(&mut self, page: Vec<Value>) -> usize {
        let before = self.items.len();
        for item in page {
            let new = match item.get("Id").and_then(Value::as_str) {
                Some(id) => self.seen.insert(id.to_string()),
                None => true,
            };
            if new {
                self.items.push(item);
            }
        }
        self.items.len() - before
    }
}

/// `path` with the query for the page that starts after `skip` items.
fn page_url(path: &str, skip: usize, take: usize) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}skip={skip}&take={take}")
}

/// `environments` of `/api/Spaces-1/environments?partialName=x`.
fn collection_name(path: &str) -> &str {
    let path = path.split('?').next().unwrap_or(path);
    path.rsplit('/').next().unwrap_or(path)
}

/// The `Items` of a page of a collection.
fn items_of(page: Value, path: &str) -> Result<Vec<Value>> {
    match page {
        Value::Object(mut m) => match m.remove("Items") {
            Some(Value::Array(items)) => Ok(items),
            _ => bail!("{path}: expected a collection with Items, got something else"),
        },
        _ => bail!("{path}: expected a collection with Items, got something else"),
    }
}
