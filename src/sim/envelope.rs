//! Collection listing: filters, server ordering and the paging envelope (reference §1.5, §5.2).
//!
//! Ordering decision: environments, worker pools and tag sets by `SortOrder`, tenants by `Name`
//! (DOCS-API), everything else in creation order (= numeric Id order for counter ids).

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult};
use super::kinds::Kind;
use super::store::{str_of, strs_of, Doc};

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

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

fn any_ci(list: &[String], v: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(v))
}

/// Apply the filters the kind's URI template advertises.
pub(crate) fn filter(kind: Kind, docs: Vec<Doc>, q: &Query) -> Vec<Doc> {
    let name_field = kind.name_field().unwrap_or("Name");
    let ids = q.list("ids");
    docs.into_iter()
        .filter(|d| ids.as_ref().map(|ids| any_ci(ids, str_of(d, "Id"))).unwrap_or(true))
        .filter(|d| {
            q.get("partialName")
                .map(|p| contains_ci(str_of(d, name_field), p))
                .unwrap_or(true)
        })
        .filter(|d| match q.get("name") {
            Some(n) if !n.is_empty() => str_of(d, name_field).eq_ignore_ascii_case(n),
            _ => true,
        })
        .filter(
            |d| match (kind, q.get("contentType"), q.get("feedType"), q.get("accountType")) {
                (Kind::LibraryVariableSet, Some(c), _, _) => str_of(d, "ContentType").eq_ignore_ascii_case(c),
                (Kind::Feed, _, Some(f), _) => str_of(d, "FeedType").eq_ignore_ascii_case(f),
                (Kind::Account, _, _, Some(a)) => str_of(d, "AccountType").eq_ignore_ascii_case(a),
                _ => true,
            },
        )
        .filter(|d| kind_filter(kind, d, q))
        .collect()
}

fn kind_filter(kind: Kind, d: &Doc, q: &Query) -> bool {
    match kind {
        Kind::Runbook | Kind::Channel => {
            let ids = q.list("projectIds").or_else(|| q.list("projectId"));
            ids.map(|ids| any_ci(&ids, str_of(d, "ProjectId"))).unwrap_or(true)
        }
        Kind::Tenant => {
            let project_ok = q
                .get("projectId")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    d.get("ProjectEnvironments")
                        .and_then(Value::as_object)
                        .map(|m| m.keys().any(|k| k.eq_ignore_ascii_case(p)))
                        .unwrap_or(false)
                })
                .unwrap_or(true);
            // Tags: any tag within one tag set, all tag sets (the UI's tag filter semantics).
            let tags_ok = q
                .list("tags")
                .map(|tags| {
                    let have = strs_of(d, "TenantTags");
                    let mut sets: Vec<&str> = tags.iter().map(|t| t.split('/').next().unwrap_or("")).collect();
                    sets.dedup();
                    sets.iter().all(|set| {
                        tags.iter()
                            .filter(|t| t.split('/').next() == Some(set))
                            .any(|t| any_ci(&have, t))
                    })
                })
                .unwrap_or(true);
            project_ok && tags_ok
        }
        Kind::Team | Kind::ScopedUserRole => {
            let owner = str_of(d, "SpaceId");
            let include_system = q
                .get("includeSystem")
                .map(|v| !v.eq_ignore_ascii_case("false"))
                .unwrap_or(true);
            match q.list("spaces") {
                Some(spaces) => any_ci(&spaces, owner) || (owner.is_empty() && include_system),
                None => include_system || !owner.is_empty(),
            }
        }
        Kind::User => q
            .get("filter")
            .map(|f| {
                ["Username", "DisplayName", "EmailAddress"]
                    .iter()
                    .any(|k| contains_ci(str_of(d, k), f))
            })
            .unwrap_or(true),
        Kind::Certificate => match q.get("archived") {
            Some(a) if a.eq_ignore_ascii_case("true") => !d.get("Archived").map(Value::is_null).unwrap_or(true),
            Some(a) if a.eq_ignore_ascii_case("false") => d.get("Archived").map(Value::is_null).unwrap_or(true),
            _ => true,
        },
        Kind::Machine => {
            let env_ok = q
                .list("environmentIds")
                .map(|ids| strs_of(d, "EnvironmentIds").iter().any(|e| any_ci(&ids, e)))
                .unwrap_or(true);
            let role_ok = q
                .list("roles")
                .map(|r| strs_of(d, "Roles").iter().any(|e| any_ci(&r, e)))
                .unwrap_or(true);
            env_ok && role_ok
        }
        Kind::Worker => q
            .list("workerPoolIds")
            .map(|ids| strs_of(d, "WorkerPoolIds").iter().any(|e| any_ci(&ids, e)))
            .unwrap_or(true),
        _ => true,
    }
}

/// The server's order for a listing.
pub(crate) fn sort(kind: Kind, docs: &mut [Doc]) {
    match kind {
        Kind::Environment | Kind::WorkerPool | Kind::TagSet => {
            docs.sort_by_key(|d| d.get("SortOrder").and_then(Value::as_i64).unwrap_or(0))
        }
        Kind::Tenant => docs.sort_by_key(|d| str_of(d, "Name").to_lowercase()),
        _ => {}
    }
}

/// The paged envelope. `base` is the collection path (`/api/Spaces-1/environments`).
// QUESTION: for an empty result the real NumberOfPages/LastPageNumber are not shown anywhere;
// 1 and 0 are used so that Page.Last stays a valid link.
pub(crate) fn envelope(kind: Kind, items: Vec<Value>, q: &Query, base: &str, default_take: usize) -> ApiResult<Value> {
    let skip = q.number("skip")?.unwrap_or(0);
    let take = q.number("take")?.unwrap_or(default_take as u64);
    let total = items.len() as u64;
    let pages = if take == 0 { 1 } else { total.div_ceil(take).max(1) };
    let last = pages - 1;
    let page: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(take).unwrap_or(usize::MAX))
        .collect();
    let extra = q.extra();
    let link = |s: u64, t: u64| format!("{base}?skip={s}&take={t}{extra}");
    let mut links = Map::new();
    links.insert("Self".into(), json!(link(skip, take)));
    links.insert("Template".into(), json!(format!("{base}{}", kind.template_query())));
    links.insert("Page.All".into(), json!(link(0, TAKE_ALL)));
    if take > 0 && skip.saturating_add(take) < total {
        links.insert("Page.Next".into(), json!(link(skip + take, take)));
    }
    links.insert("Page.Current".into(), json!(link(skip, take)));
    links.insert("Page.Last".into(), json!(link(last.saturating_mul(take), take)));
    Ok(json!({
        "ItemType": kind.item_type(),
        "TotalResults": total,
        "ItemsPerPage": take,
        "NumberOfPages": pages,
        "LastPageNumber": last,
        "Items": page,
        "Links": links,
    }))
}
