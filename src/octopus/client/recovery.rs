//! Recovery of a write whose outcome is unknown: looking a create up by name, reading an update
//! back, and telling whether what was sent was saved.

use super::Client;
use crate::snapshot::name_key;
use anyhow::Result;
use serde_json::Value;

/// What a write should do when its outcome is unknown.
pub(super) enum Recover<'a> {
    /// Just retry: a read.
    Retry,
    /// Look the item up by name first: a retried create must not make a duplicate.
    LookupByName { collection: &'a str, name: &'a str },
    /// Read the item back first: a PUT that went through must not be sent again with a stale body.
    CheckSaved { item: &'a str, sent: &'a Value },
}

impl Recover<'_> {
    /// What an administrator should look at when it stays unknown whether the write was made.
    pub(super) fn what_to_check(&self) -> String {
        match self {
            Recover::Retry => String::new(),
            Recover::LookupByName { collection, name } => {
                format!("whether '{name}' exists in {collection} on the destination")
            }
            Recover::CheckSaved { item, .. } => format!("{item} on the destination"),
        }
    }
}

impl Client {
    /// The saved document, when a write whose outcome was unknown turns out to have been made.
    pub(super) async fn recover(&self, recover: &Recover<'_>) -> Result<Option<Value>> {
        // One attempt per look-up request: a failed look-up is retried by the caller's loop.
        let once = self.single_attempt();
        match recover {
            Recover::Retry => Ok(None),
            Recover::LookupByName { collection, name } => Box::pin(once.find_by_name(collection, name)).await,
            Recover::CheckSaved { item, sent } => {
                let current = Box::pin(once.get(item)).await?;
                Ok(was_saved(sent, &current).then_some(current))
            }
        }
    }

    /// This client with one attempt per request (same connection pool, limiter and metrics).
    fn single_attempt(&self) -> Client {
        let mut once = self.clone();
        once.options.retry.max_attempts = 1;
        once
    }

    /// The item of `collection` whose name equals `name` (case-insensitive), if any.
    async fn find_by_name(&self, collection: &str, name: &str) -> Result<Option<Value>> {
        let filter = format!("{collection}?partialName={}", urlencode(name));
        let items = self.list_all(&filter).await?;
        let wanted = name_key(name);
        Ok(items.into_iter().find(|i| {
            i.get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| name_key(n) == wanted)
        }))
    }
}

/// Whether `current` (read back after a lost PUT response) shows that `sent` was saved: every field
/// we sent is there with the value we sent, nested items included (the server adds ids and
/// computed fields such as a tag's `CanonicalTagName`). Concurrency stamps are left out: they are
/// the server's to change. If it holds, resending could change nothing anyway.
fn was_saved(sent: &Value, current: &Value) -> bool {
    const STAMPS: &[&str] = &["Version", "LastModifiedOn", "LastModifiedBy", "Links"];
    match (sent, current) {
        (Value::Object(s), Value::Object(c)) => s
            .iter()
            .filter(|(k, _)| !STAMPS.contains(&k.as_str()))
            .all(|(k, v)| contains(c.get(k).unwrap_or(&Value::Null), v)),
        _ => false,
    }
}

/// `have` holds everything `want` does (objects may have more fields; empty, null and missing are alike).
fn contains(have: &Value, want: &Value) -> bool {
    let blank = |v: &Value| v.is_null() || v.as_str() == Some("");
    match (have, want) {
        _ if blank(have) && blank(want) => true,
        (Value::Object(h), Value::Object(w)) => w.iter().all(|(k, v)| contains(h.get(k).unwrap_or(&Value::Null), v)),
        (Value::Array(h), Value::Array(w)) => h.len() == w.len() && h.iter().zip(w).all(|(a, b)| contains(a, b)),
        _ => have == want,
    }
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_saved_tag_set_contains_what_was_sent_plus_server_fields() {
        let sent = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "old", "Description": null,
                          "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU"}, {"Name": "US", "Color": "#222222"}]});
        let current = json!({"Id": "TagSets-2", "Name": "Region", "LastModifiedOn": "new", "Description": "",
                             "Tags": [{"Id": "TagSets-2/Tags-1", "Name": "EU", "CanonicalTagName": "Region/EU"},
                                      {"Id": "TagSets-2/Tags-7", "Name": "US", "Color": "#222222", "CanonicalTagName": "Region/US"}]});
        assert!(was_saved(&sent, &current));
    }

    #[test]
    fn an_unsaved_document_is_recognised_whatever_its_stamps() {
        let sent = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [{"Name": "Stage"}], "Version": 3});
        let unchanged = json!({"Id": "Lifecycles-1", "Name": "Release", "Phases": [], "Version": 4});
        assert!(
            !was_saved(&sent, &unchanged),
            "a moved stamp alone does not mean our write landed"
        );
        let missing_tag = json!({"Tags": [{"Name": "EU"}]});
        assert!(!was_saved(
            &json!({"Tags": [{"Name": "EU"}, {"Name": "US"}]}),
            &missing_tag
        ));
    }
}
