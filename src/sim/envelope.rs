//! Query strings, the generic list filters and the paging envelope (reference §1.5, §5.2).

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult};
use super::store::{str_of, Doc};

/// `take` for "all" (int.MaxValue), as in `Page.All`.
pub(crate) const TAKE_ALL: u64 = 2_147_483_647;

/// Parsed query string; names compare case-insensitively.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
    raw: Vec<String>,
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    pub fn parse(q: Option<&str>) -> Query {
        let mut out = Query::default();
        for part in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            out.pairs.push((percent_decode(k), percent_decode(v)));
            out.raw.push(part.to_string());
        }
        out
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Comma-separated values of a parameter (also accepts the parameter repeated).
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let vals: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect();
        (!vals.is_empty()).then_some(vals)
    }

    fn number(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(|n| Some(n.max(0) as u64))
                .map_err(|_| ApiError::invalid(format!("The value '{v}' is not valid for {name}."))),
        }
    }

    /// Query parameters other than paging and the API key, as sent (for the envelope links).
    fn extra(&self) -> String {
        self.raw
            .iter()
            .filter(|p| {
                let k = p.split('=').next().unwrap_or("").to_ascii_lowercase();
                k != "skip" && k != "take" && k != "apikey"
            })
            .map(|p| format!("&{p}"))
            .collect()
    }
}

/// Whether a URI template such as `{?skip,take,ids,partialName}` has the query parameter.
fn advertises(template: &str, param: &str) -> bool {
    template
        .split(['{', '}', '?', ',', '&'])
        .any(|p| p.eq_ignore_ascii_case(param))
}

impl Query {
    /// The generic filters: `ids` (comma list), `partialName` (case-insensitive contains) and
    /// `name` (exact, case-insensitive) on the kind's name field, each applied only where the
    /// collection's template advertises it: the real server ignores unknown parameters. Read once
    /// per listing, then applied to each document.
    pub fn filters(&self, template: &str) -> Filters {
        let param = |name: &str| self.get(name).filter(|_| advertises(template, name));
        Filters {
            ids: self
                .list("ids")
                .filter(|_| advertises(template, "ids"))
                .map(|ids| ids.iter().map(|i| i.to_ascii_lowercase()).collect()),
            partial_name: param("partialName").map(str::to_lowercase),
            name: param("name").filter(|n| !n.is_empty()).map(str::to_string),
        }
    }
}

/// A listing's generic filters (see [`Query::filters`]).
pub struct Filters {
    /// Ids, ASCII lower case (ids are ASCII).
    ids: Option<std::collections::HashSet<String>>,
    /// Lower case.
    partial_name: Option<String>,
    name: Option<String>,
}

impl Filters {
    /// Whether `doc` passes every filter, names read from `name_field`.
    pub fn matches(&self, doc: &Doc, name_field: &str) -> bool {
        let ids_ok = self
            .ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&str_of(doc, "Id").to_ascii_lowercase()));
        let partial_ok = self
            .partial_name
            .as_ref()
            .is_none_or(|p| str_of(doc, name_field).to_lowercase().contains(p.as_str()));
        let name_ok = self
            .name
            .as_ref()
            .is_none_or(|n| str_of(doc, name_field).eq_ignore_ascii_case(n));
        ids_ok && partial_ok && name_ok
    }
}

/// The paged envelope. `base` is the collection path (`/api/Spaces-1/environments`).
// QUESTION: for an empty result the real NumberOfPages/LastPageNumber are not shown anywhere;
// 1 and 0 are used so that Page.Last stays a valid link.
pub(crate) fn envelope(
    item_type: &str,
    template: &str,
    items: Vec<Value>,
    q: &Query,
    base: &str,
    default_take: usize,
) -> ApiResult<Value> {
    envelope_of(item_type, template, &items, Value::clone, q, base, default_take)
}

/// The paged envelope of `items`, `render` applied to the page's items only (a listing of
/// hundreds of documents renders one page's worth, as a server reads one page from its database).
pub(crate) fn envelope_of<T>(
    item_type: &str,
    template: &str,
    items: &[T],
    render: impl Fn(&T) -> Value,
    q: &Query,
    base: &str,
    default_take: usize,
) -> ApiResult<Value> {
    let skip = q.number("skip")?.unwrap_or(0);
    let take = q.number("take")?.unwrap_or(default_take as u64);
    let total = items.len() as u64;
    let pages = if take == 0 { 1 } else { total.div_ceil(take).max(1) };
    let last = pages - 1;
    let page: Vec<Value> = items
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(take).unwrap_or(usize::MAX))
        .map(render)
        .collect();
    let extra = q.extra();
    let link = |s: u64, t: u64| format!("{base}?skip={s}&take={t}{extra}");
    let mut links = Map::new();
    links.insert("Self".into(), json!(link(skip, take)));
    links.insert("Template".into(), json!(format!("{base}{template}")));
    links.insert("Page.All".into(), json!(link(0, TAKE_ALL)));
    if take > 0 && skip.saturating_add(take) < total {
        links.insert("Page.Next".into(), json!(link(skip + take, take)));
    }
    links.insert("Page.Current".into(), json!(link(skip, take)));
    links.insert("Page.Last".into(), json!(link(last.saturating_mul(take), take)));
    // Built field by field: `json!` would deep-copy the rendered page through `to_value`.
    let mut envelope = Map::new();
    envelope.insert("ItemType".into(), json!(item_type));
    envelope.insert("TotalResults".into(), json!(total));
    envelope.insert("ItemsPerPage".into(), json!(take));
    envelope.insert("NumberOfPages".into(), json!(pages));
    envelope.insert("LastPageNumber".into(), json!(last));
    envelope.insert("Items".into(), Value::Array(page));
    envelope.insert("Links".into(), Value::Object(links));
    Ok(Value::Object(envelope))
}
