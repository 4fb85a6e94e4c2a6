//! Reading paged collections: a window of pages in flight, the end at a short or empty page, a
//! bound on the number of pages, and one re-read of a collection that changed while it was read.

use super::attempt::Expect;
use super::Client;
use anyhow::{anyhow, bail, Result};
use futures::future::try_join_all;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashSet;

/// An item of a paged collection as a read hands it on: a parsed document ([`Value`]) or a
/// document's text ([`RawItem`]).
trait PageItem: Sized {
    /// How the answer to a page is read.
    const EXPECT: Expect;
    /// The items of one page's answer and the `TotalResults` it reports (no items when it reports
    /// none: the caller says the answer is no paged collection).
    fn page(answer: Value, path: &str) -> Result<(Vec<Self>, Option<u64>)>;
    /// The item's `Id`, when it has one.
    fn id(&self) -> Option<&str>;
}

impl PageItem for Value {
    const EXPECT: Expect = Expect::Json;

    fn page(answer: Value, path: &str) -> Result<(Vec<Value>, Option<u64>)> {
        match answer.get("TotalResults").and_then(Value::as_u64) {
            Some(total) => Ok((items_of(answer, path)?, Some(total))),
            None => Ok((Vec::new(), None)),
        }
    }

    fn id(&self) -> Option<&str> {
        self.get("Id").and_then(Value::as_str)
    }
}

/// A document of a collection as the server wrote it, with its `Id`: for documents a run keeps as
/// text and parses only when a stage needs one (see `snapshot::Packed`).
#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    /// The document's `Id` ("" when it has none).
    pub id: String,
    /// The document's JSON text, as the server wrote it.
    pub text: String,
}

impl RawItem {
    /// The items of a JSON array's text (a `/all` route's answer).
    pub fn list(text: &str, path: &str) -> Result<Vec<RawItem>> {
        let items: Vec<&RawValue> = serde_json::from_str(text)
            .map_err(|e| anyhow!("{path}: expected a list of documents, got something else ({e})"))?;
        items.into_iter().map(|raw| RawItem::of(raw, path)).collect()
    }

    fn of(raw: &RawValue, path: &str) -> Result<RawItem> {
        #[derive(Deserialize)]
        struct Head {
            #[serde(rename = "Id", default)]
            id: Option<String>,
        }
        let head: Head = serde_json::from_str(raw.get())
            .map_err(|e| anyhow!("{path}: expected documents, got something else ({e})"))?;
        Ok(RawItem {
            id: head.id.unwrap_or_default(),
            text: raw.get().to_string(),
        })
    }
}

impl PageItem for RawItem {
    const EXPECT: Expect = Expect::Text;

    fn page(answer: Value, path: &str) -> Result<(Vec<RawItem>, Option<u64>)> {
        #[derive(Deserialize)]
        struct Page<'a> {
            #[serde(rename = "TotalResults", default)]
            total: Option<u64>,
            #[serde(rename = "Items", borrow, default)]
            items: Option<Vec<&'a RawValue>>,
        }
        let text = answer.as_str().unwrap_or_default();
        let page: Page<'_> = serde_json::from_str(text)
            .map_err(|e| anyhow!("{path}: expected a collection with Items, got something else ({e})"))?;
        if page.total.is_none() {
            return Ok((Vec::new(), None));
        }
        let Some(items) = page.items else {
            bail!("{path}: expected a collection with Items, got something else");
        };
        let items = items
            .into_iter()
            .map(|raw| RawItem::of(raw, path))
            .collect::<Result<_>>()?;
        Ok((items, page.total))
    }

    fn id(&self) -> Option<&str> {
        Some(self.id.as_str()).filter(|id| !id.is_empty())
    }
}

impl Client {
    /// Every item of a paged collection, however many pages the server splits it into.
    pub async fn list_all(&self, path: &str) -> Result<Vec<Value>> {
        self.list_all_as(path).await
    }

    /// Every item of a paged collection as its text, with its id.
    pub async fn list_all_raw(&self, path: &str) -> Result<Vec<RawItem>> {
        self.list_all_as(path).await
    }

    /// Every item of a paged collection, read as `T`.
    async fn list_all_as<T: PageItem>(&self, path: &str) -> Result<Vec<T>> {
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
    async fn read_pages<T: PageItem>(&self, path: &str) -> Result<(Vec<T>, u64)> {
        let take = self.options.page_size.max(1);
        let first = self.get_as(&page_url(path, 0, take), T::EXPECT).await?;
        let (first, total) = T::page(first, path)?;
        let Some(total) = total else {
            bail!(
                "{} {path}: expected a paged collection with TotalResults; is this an Octopus Server?",
                self.role
            );
        };
        let mut read = PagedItems::default();
        // The first page's length is the page size the server honours (it may cap `take`).
        let step = read.add(first);
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
                async move { Ok::<_, anyhow::Error>(T::page(self.get_as(&url, T::EXPECT).await?, path)?.0) }
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
struct PagedItems<T> {
    items: Vec<T>,
    seen: HashSet<String>,
}

impl<T> Default for PagedItems<T> {
    fn default() -> Self {
        PagedItems {
            items: Vec::new(),
            seen: HashSet::new(),
        }
    }
}

impl<T: PageItem> PagedItems<T> {
    /// Adds a page and returns how many of its items were new (items without an id always are).
    fn add(&mut self, page: Vec<T>) -> usize {
        let before = self.items.len();
        for item in page {
            let new = match item.id() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_read_as_text_hands_on_each_document_as_the_server_wrote_it() {
        let answer = "{\n  \"ItemType\": \"DeploymentProcess\",\n  \"TotalResults\": 2,\n  \"Items\": [\n    {\"Id\": \"deploymentprocess-Projects-1\", \"Steps\": []},\n    {\"Steps\": [{\"Name\": \"x\"}]}\n  ]\n}";
        let (items, total) = RawItem::page(Value::String(answer.into()), "/api/Spaces-1/deploymentprocesses").unwrap();
        assert_eq!(total, Some(2));
        assert_eq!(items[0].id().unwrap(), "deploymentprocess-Projects-1");
        assert_eq!(
            items[0].text,
            "{\"Id\": \"deploymentprocess-Projects-1\", \"Steps\": []}"
        );
        assert_eq!(items[1].id(), None);
    }

    #[test]
    fn a_text_answer_that_is_no_collection_is_told_apart_from_one_without_items() {
        let page = |text: &str| RawItem::page(Value::String(text.into()), "/api/x");
        assert!(page("<html>Sign in</html>").is_err());
        assert!(page("[]").unwrap().1.is_none());
        assert!(page("{\"Id\": \"x\"}").unwrap().1.is_none());
        let missing = page("{\"TotalResults\": 3}").unwrap_err().to_string();
        assert!(missing.contains("expected a collection with Items"), "{missing}");
        assert_eq!(
            RawItem::list("[{\"Id\": \"a\"}, {\"Id\": \"b\"}]", "/api/x/all")
                .unwrap()
                .len(),
            2
        );
        assert!(RawItem::list("{\"Items\": []}", "/api/x/all").is_err());
    }
}
